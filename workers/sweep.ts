// The database is the source of truth; Redis is not. Should a job vanish (Redis restarted without
// its data, an outbox row published just before a crash), the sweeper finds the work it stood for
// and enqueues it again. Every handler is idempotent, so finding too much is harmless.
import type { Deps } from '../src/deps.ts';
import { JOBS, type Queues } from '../src/queue/queues.ts';

export async function sweepOnce(deps: Deps, queues: Queues): Promise<number> {
  const { db, config } = deps;
  const before = new Date(Date.now() - config.sweepGraceMs).toISOString();
  const slot = Math.floor(Date.now() / config.sweepIntervalMs); // one job id per item per sweep
  let n = 0;
  const unrouted = await db('access_requests').where({ status: 'pending' }).whereNull('routed_at').where('created_at', '<', before).limit(500).select('id');
  for (const r of unrouted) await queues[JOBS.routeRequest].add({ requestId: r.id }, { jobId: `sweep-${slot}-route-${r.id}` }), n++;
  const unprovisioned = await db('access_requests').where({ status: 'approved' }).where('updated_at', '<', before).limit(500).select('id');
  for (const r of unprovisioned) await queues[JOBS.provision].add({ requestId: r.id }, { jobId: `sweep-${slot}-provision-${r.id}` }), n++;
  // Only mail never attempted: a message in retry already has its job, and a failed one waits for an admin.
  const unsent = await db('mail_messages').where({ status: 'queued', attempts: 0 }).where('created_at', '<', before).limit(500).select('id');
  for (const m of unsent) await queues[JOBS.sendMail].add({ mailId: m.id }, { jobId: `sweep-${slot}-mail-${m.id}` }), n++;
  const batches = await db('invitation_batches').whereNot({ status: 'done' }).where('created_at', '<', before).limit(50).select('id');
  for (const b of batches) await queues[JOBS.invitationBatch].add({ batchId: b.id }, { jobId: `sweep-${slot}-batch-${b.id}` }), n++;
  return n;
}
