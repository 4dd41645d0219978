// Publishes outbox rows to Bull. A row is marked published only after Bull accepted the job, so a
// crash in between publishes it again; the job id (outbox row id) and idempotent handlers absorb that.
import type { Db } from '../db/knex.ts';
import { markPublished, unpublishedOutbox, type OutboxRow } from '../db/outbox.ts';
import { TOPIC_TO_JOB, type JobName, type Queues } from './queues.ts';
import type { Logger } from 'pino';

export interface Relay {
  kick(): void;
  stop(): Promise<void>;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

export async function relayOnce(db: Db, queues: Queues, batch = 100): Promise<number> {
  const rows = await unpublishedOutbox(db, batch);
  const done: number[] = [];
  const byJob = new Map<JobName, OutboxRow[]>();
  for (const row of rows) {
    const job = TOPIC_TO_JOB[row.topic];
    // A row with no job (none today) is done as soon as it is read.
    if (!job) done.push(row.id);
    else if (byJob.has(job)) byJob.get(job)!.push(row);
    else byJob.set(job, [row]);
  }
  // One pipelined addBulk per queue instead of a Redis round trip per row, all queues at once; a
  // queue that fails leaves its rows for the next pass and takes nothing from the others.
  const results = await Promise.allSettled(
    [...byJob].map(async ([job, jobRows]) => {
      await withTimeout(queues[job].addBulk(jobRows.map((row) => ({ data: JSON.parse(row.payload), opts: { jobId: `outbox-${row.id}` } }))), 5000);
      done.push(...jobRows.map((row) => row.id));
    }),
  );
  await markPublished(db, done);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return done.length;
}

export function startRelay(db: Db, queues: Queues, pollMs: number, log: Logger): Relay {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let failing = false;

  const tick = async () => {
    try {
      let n;
      do n = await relayOnce(db, queues);
      while (n > 0 && !stopped);
      if (failing) log.info('outbox relay recovered');
      failing = false;
    } catch (err) {
      if (!failing) log.warn({ err }, 'outbox relay cannot publish yet; rows stay in the outbox');
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, pollMs);
  };
  schedule();
  return {
    kick() {
      if (!running && timer && !stopped) {
        clearTimeout(timer);
        timer = null;
        running = tick().finally(() => {
          running = null;
          schedule();
        });
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
