// Ceiling for approval → invitation mail: a worker process that completes Bull jobs doing nothing,
// on the same Redis and with the product's queue settings (src/queue/queues.ts). The bench process
// (bench/lib/bullCeiling.ts) adds the jobs and times each one until Bull reports it completed.
// Env: REDIS_URL, QUEUE_PREFIX, QUEUE_NAME, CONCURRENCY. Prints "ready" once it takes jobs.
import Bull from 'bull';

const queue = new Bull(process.env.QUEUE_NAME ?? 'bench-noop', process.env.REDIS_URL!, {
  prefix: process.env.QUEUE_PREFIX ?? 'bench:bull',
  settings: { lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 3 },
});
await queue.isReady();
void queue.process(Number(process.env.CONCURRENCY ?? 1), async () => 'ok');
console.log('ready');
process.on('SIGTERM', () => {
  void queue.close().finally(() => process.exit(0));
});
