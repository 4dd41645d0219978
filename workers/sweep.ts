// The database is the source of truth; Redis is not. Should a job vanish (Redis restarted without
// its data, an outbox row published just before a crash), the sweeper finds the work it stood for
// and enqueues it again. Every handler is idempotent, so finding too much is harmless; but each item
// has one sweeper job id, and an item whose sweeper job is still queued is not added again: after an
// outage, sweeping every second must not pile a new copy of every backlog item onto the queue each
// time (the copies crowded out the real work and routing 500 requests took minutes).
import type { Deps } from '../src/deps.ts';
import { addOnce, JOBS, type Queues } from '../src/queue/queues.ts';

export async function sweepOnce(deps: Deps, queues: Queues): Promise<number> {
  const { db, config } = deps;
  const before = new Date(Date.now() - config.sweepGraceMs).toISOString();
  let n = 0;
  const unrouted = await db('access_requests').where({ status: 'pending' }).whereNull('routed_at').where('created_at', '<', before).limit(500).select('id');
  for (const r of unrouted) if (await addOnce(queues[JOBS.routeRequest], `sweep-route-${r.id}`, { requestId: r.id })) n++;
  const unprovisioned = await db('access_requests').where({ status: 'approved' }).where('updated_at', '<', before).limit(500).select('id');
  for (const r of unprovisioned) if (await addOnce(queues[JOBS.provision], `sweep-provision-${r.id}`, { requestId: r.id })) n++;
  // Only mail never attempted: a message in retry already has its job, and a failed one waits for an admin.
  const unsent = await db('mail_messages').where({ status: 'queued', attempts: 0 }).where('created_at', '<', before).limit(500).select('id');
  for (const m of unsent) if (await addOnce(queues[JOBS.sendMail], `sweep-mail-${m.id}`, { mailId: m.id })) n++;
  const batches = await db('invitation_batches').whereNot({ status: 'done' }).where('created_at', '<', before).limit(50).select('id');
  for (const b of batches) if (await addOnce(queues[JOBS.invitationBatch], `sweep-batch-${b.id}`, { batchId: b.id })) n++;
  return n;
}
