// The database is the source of truth; Redis is not. Should a job vanish (Redis restarted without
// its data, an outbox row published just before a crash), the sweeper finds the work it stood for
// and enqueues it again. Every handler is idempotent, so finding too much is harmless; but each item
// has one sweeper job id, and an item whose sweeper job is still queued is not added again: after an
// outage, sweeping every second must not pile a new copy of every backlog item onto the queue each
// time (the copies crowded out the real work and routing 500 requests took minutes).
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { unfinishedBatches, unprovisionedRequests, unroutedRequests, unsentMail } from '../db/backlog.ts';
import { addOnce, addUnlessKnown, JOBS, type Queues } from './queues.ts';
import { now } from '../domain/clock.ts';

export async function sweepOnce(deps: Deps, queues: Queues): Promise<number> {
  const { db, config } = deps;
  const before = new Date(Date.now() - config.sweepGraceMs).toISOString();
  // A request's times are on the lifecycle's clock (src/domain/clock.ts), which tests and the demo move.
  const requestsBefore = new Date(now() - config.sweepGraceMs).toISOString();
  let n = 0;
  for (const id of await unroutedRequests(db, requestsBefore)) if (await addOnce(queues[JOBS.routeRequest], `sweep-route-${id}`, { requestId: id })) n++;
  for (const id of await unprovisionedRequests(db, requestsBefore)) if (await addOnce(queues[JOBS.provision], `sweep-provision-${id}`, { requestId: id })) n++;
  for (const id of await unsentMail(db, before)) if (await addOnce(queues[JOBS.sendMail], `sweep-mail-${id}`, { mailId: id })) n++;
  for (const id of await unfinishedBatches(db, before)) if (await addOnce(queues[JOBS.invitationBatch], `sweep-batch-${id}`, { batchId: id })) n++;
  return n;
}

/**
 * The periodic upkeep (workers/upkeep.ts: memberships ended at their term, notices, retirements,
 * invitations and requests timed out, reviews, the OpenID Provider's clean-up), on the sweep's timer.
 * Every worker's timer asks for it; the job id names the interval it is for, so the workers together
 * add one job per interval and Bull drops the copies. Nothing is ever removed to make room (removing
 * a finished job to add it again raced between two workers: one removed the job the other had just
 * added and a worker had taken, which then lost its lock). One still waiting is not doubled; a run
 * slower than the interval may overlap the next one, which is harmless: each pass acts only on the
 * rows the database says are due and not yet done, with conditional updates.
 */
export async function enqueueUpkeep(queues: Queues, intervalMs: number, at = Date.now()): Promise<void> {
  const queue = queues[JOBS.upkeep];
  if ((await queue.getWaitingCount()) > 0) return;
  await addUnlessKnown(queue, `upkeep-${Math.floor(at / Math.max(1, intervalMs))}`, {});
}

/**
 * An upkeep now, outside the sweep's intervals (the demo's clock moved): the interval's own job may
 * have run already, so this one has an id of its own. Two workers may add one each; harmless.
 */
export async function enqueueUpkeepNow(queues: Queues, at = Date.now()): Promise<void> {
  await addUnlessKnown(queues[JOBS.upkeep], `upkeep-now-${at}`, {});
}

/** Sweeps every SWEEP_INTERVAL_MS, one sweep at a time; a failed sweep is tried again next time. */
export function startSweeper(deps: Deps, queues: Queues, log: Logger): { stop(): void } {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepOnce(deps, queues)
      .then((n) => n && log.info({ n }, 'sweeper re-enqueued lost work'))
      .then(() => enqueueUpkeep(queues, deps.config.sweepIntervalMs))
      .catch((err) => log.warn({ err: (err as Error).message }, 'sweep failed; will retry'))
      .finally(() => (sweeping = false));
  }, deps.config.sweepIntervalMs);
  return { stop: () => clearInterval(timer) };
}
