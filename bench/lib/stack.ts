// The product as it runs for real, for the benchmarks: the test harness's parts (redis-server on a
// free port, oidc-provider issuers, the SMTP catcher, a fresh SQLite file or PostgreSQL database),
// with `passerelle web` and `passerelle worker` as child processes so their memory can be read.
import fs from 'node:fs';
import { startStack, type Stack } from '../../test/harness/stack.ts';
import { startWebProcess, startWorkerProcess, type Proc } from '../../test/harness/processes.ts';

export interface BenchStack {
  stack: Stack;
  web: Proc;
  worker: Proc;
  /** Resident memory of the web and worker processes, in MB. */
  rss(): { web: number; worker: number };
  /** CPU time the web and worker processes have used so far, in ms (for CPU per request or job). */
  cpu(): { web: number; worker: number };
  stop(): Promise<void>;
}

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Resident set size of a process from /proc, in MB (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux, 100 ticks/s). */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function benchStack(opts: { postgres: boolean; env?: Record<string, string> }): Promise<BenchStack> {
  // The harness picks PostgreSQL when TEST_DATABASE_URL is set: each run makes and drops its database.
  if (opts.postgres) process.env.TEST_DATABASE_URL = PG_URL;
  else delete process.env.TEST_DATABASE_URL;
  const stack = await startStack({
    web: false,
    worker: false,
    env: {
      LOG_LEVEL: 'warn',
      // The benchmark is one partner and one sponsor doing a lot: limits would measure themselves.
      RATE_LIMIT_SIGNIN_PER_MINUTE: '100000',
      RATE_LIMIT_SUBMIT_PER_MINUTE: '100000',
      RATE_LIMIT_REDEEM_PER_MINUTE: '100000',
      RATE_LIMIT_API_PER_MINUTE: '1000000',
      OUTBOX_POLL_MS: '20',
      JOB_ATTEMPTS: '3',
      // BENCH_NODE_OPTIONS="--import ./bench/lib/cpuProfile.mjs" profiles the web and worker.
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...opts.env,
    },
  });
  let web: Proc | undefined;
  let worker: Proc | undefined;
  try {
    web = await startWebProcess(stack.env);
    worker = await startWorkerProcess(stack.env);
  } catch (err) {
    await web?.kill('SIGKILL');
    await stack.stop();
    throw err;
  }
  return {
    stack,
    web,
    worker,
    rss: () => ({ web: rssOf(web.child.pid!), worker: rssOf(worker.child.pid!) }),
    cpu: () => ({ web: cpuMsOf(web.child.pid!), worker: cpuMsOf(worker.child.pid!) }),
    async stop() {
      await web.kill('SIGTERM');
      await worker.kill('SIGTERM');
      await stack.stop();
    },
  };
}
