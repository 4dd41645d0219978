// The database is the source of truth; Redis is not. Should a job vanish (Redis restarted without
// its data, an outbox row published just before a crash), the sweeper finds the work it stood for
// and enqueues it again. Every handler is idempotent, so finding too much is harmless; but each item
// has one sweeper job id, and an item whose sweeper job is still queued is not added again: after an
// outage, sweeping every second must not pile a new copy of every backlog item onto the queue each
// time (the copies crowded out the real work and routing 500 requests took minutes).
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { unfinishedBatches, unprovisionedRequests, unroutedRequests, unsentMail } from '../db/backlog.ts';
import { addOnce, JOBS, type Queues } from './queues.ts';

export async function sweepOnce(deps: Deps, queues: Queues): Promise<number> {
  const { db, config } = deps;
  const before = new Date(Date.now() - config.sweepGraceMs).toISOString();
  let n = 0;
  for (const id of await unroutedRequests(db, before)) if (await addOnce(queues[JOBS.routeRequest], `sweep-route-${id}`, { requestId: id })) n++;
  for (const id of await unprovisionedRequests(db, before)) if (await addOnce(queues[JOBS.provision], `sweep-provision-${id}`, { requestId: id })) n++;
  for (const id of await unsentMail(db, before)) if (await addOnce(queues[JOBS.sendMail], `sweep-mail-${id}`, { mailId: id })) n++;
  for (const id of await unfinishedBatches(db, before)) if (await addOnce(queues[JOBS.invitationBatch], `sweep-batch-${id}`, { batchId: id })) n++;
  return n;
}

/**
 * The periodic upkeep, on the sweep's timer: memberships that reached their term are ended (the apps
 * concerned told), the OpenID Provider's expired rows and retired keys removed. One job id each, so
 * a slow run is never doubled.
 */
export async function enqueueUpkeep(queues: Queues): Promise<void> {
  await addOnce(queues[JOBS.expireMemberships], 'sweep-expire-memberships', {});
  await addOnce(queues[JOBS.membershipNotices], 'sweep-membership-notices', {});
  await addOnce(queues[JOBS.retireGuests], 'sweep-retire-guests', {});
  await addOnce(queues[JOBS.expireInvitations], 'sweep-expire-invitations', {});
  await addOnce(queues[JOBS.requestTimeouts], 'sweep-request-timeouts', {});
  await addOnce(queues[JOBS.oidcCleanup], 'sweep-oidc-cleanup', {});
  await addOnce(queues[JOBS.accessReviews], 'sweep-access-reviews', {});
}

/** Sweeps every SWEEP_INTERVAL_MS, one sweep at a time; a failed sweep is tried again next time. */
export function startSweeper(deps: Deps, queues: Queues, log: Logger): { stop(): void } {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepOnce(deps, queues)
      .then((n) => n && log.info({ n }, 'sweeper re-enqueued lost work'))
      .then(() => enqueueUpkeep(queues))
      .catch((err) => log.warn({ err: (err as Error).message }, 'sweep failed; will retry'))
      .finally(() => (sweeping = false));
  }, deps.config.sweepIntervalMs);
  return { stop: () => clearInterval(timer) };
}
