// Drives the Bull no-op ceiling (bench/ceilings/bullNoop.ts): jobs added as fast as `connections`
// producers can add them, a worker process completes each with no work, and every job is timed from
// the start of its add() to the moment this process hears Bull's "completed" for it. The same shape
// as figure 3, whose clock runs from the sponsor's POST to the SMTP server accepting the mail.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Bull from 'bull';
import { percentile } from './load.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface QueueRun {
  /** Completed jobs per second, first add to last completion. */
  perSecond: number;
  p50: number;
  p99: number;
  completed: number;
  count: number;
}

export async function bullNoopCeiling(o: { redisUrl: string; count: number; connections: number; workerConcurrency?: number; timeoutMs?: number }): Promise<QueueRun> {
  const name = 'bench-noop';
  const prefix = 'bench:bull';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/ceilings/bullNoop.ts')], {
    cwd: root,
    env: { ...process.env, REDIS_URL: o.redisUrl, QUEUE_PREFIX: prefix, QUEUE_NAME: name, CONCURRENCY: String(o.workerConcurrency ?? o.connections) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The product's job options (src/queue/queues.ts): retries, and completed jobs trimmed to 1,000.
  const queue = new Bull(name, o.redisUrl, {
    prefix,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: false },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('bullNoop.ts did not start')), 20_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`bullNoop.ts exited with ${code}`)));
    });
    await queue.isReady();

    const done = new Map<string, number>();
    let wake: (() => void) | null = null;
    // Bull subscribes to "completed" in the background: events published before then are lost.
    const subscribed = new Promise((resolve) => queue.once('registered:global:completed', resolve));
    queue.on('global:completed', (jobId: string) => {
      done.set(String(jobId), performance.now());
      wake?.();
    });
    await Promise.race([subscribed, new Promise((r) => setTimeout(r, 10_000))]);
    const waitFor = async (ids: string[], until: number) => {
      while (ids.some((id) => !done.has(id)) && performance.now() < until) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    };

    // Warm-up: the worker's connections, our subscription to "completed" (its first events prove it works).
    const warm = Array.from({ length: 50 }, (_, i) => `warm-${i}`);
    for (let i = 0; i < warm.length; i++) await queue.add({ i }, { jobId: warm[i] });
    await waitFor(warm, performance.now() + 20_000);
    if (warm.some((id) => !done.has(id))) throw new Error('the Bull no-op worker completed no warm-up job');

    const ids = Array.from({ length: o.count }, (_, i) => `run-${i}`);
    const started: number[] = new Array(o.count);
    let next = 0;
    const producer = async () => {
      for (let i = next++; i < o.count; i = next++) {
        started[i] = performance.now();
        await queue.add({ i }, { jobId: ids[i] });
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: o.connections }, producer));
    await waitFor(ids, t0 + (o.timeoutMs ?? 120_000));

    const latencies: number[] = [];
    let last = t0;
    ids.forEach((id, i) => {
      const at = done.get(id);
      if (at === undefined) return;
      latencies.push(at - started[i]);
      last = Math.max(last, at);
    });
    return {
      perSecond: latencies.length / ((last - t0) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      completed: latencies.length,
      count: o.count,
    };
  } finally {
    await queue.close().catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
