// Work the database says is still to do, for the sweeper: rows older than `before` (younger ones
// still have their job on the way) whose job may have been lost with Redis. Each list is bounded;
// the next sweep takes the rest.
import type { Db } from './knex.ts';

const ids = (rows: { id: number | string }[]) => rows.map((r) => Number(r.id));

/** Requests stored unrouted (submitted before routing moved into the submission). */
export async function unroutedRequests(db: Db, before: string, limit = 500): Promise<number[]> {
  return ids(await db('access_requests').where({ status: 'pending' }).whereNull('routed_at').where('created_at', '<', before).limit(limit).select('id'));
}

/** Approved requests that provisioning has not turned into a guest yet. */
export async function unprovisionedRequests(db: Db, before: string, limit = 500): Promise<number[]> {
  return ids(await db('access_requests').where({ status: 'approved' }).where('updated_at', '<', before).limit(limit).select('id'));
}

/** Mail never attempted: a message in retry already has its job, and a failed one waits for an admin. */
export async function unsentMail(db: Db, before: string, limit = 500): Promise<number[]> {
  return ids(await db('mail_messages').where({ status: 'queued', attempts: 0 }).where('created_at', '<', before).limit(limit).select('id'));
}

export async function unfinishedBatches(db: Db, before: string, limit = 50): Promise<number[]> {
  return ids(await db('invitation_batches').whereNot({ status: 'done' }).where('created_at', '<', before).limit(limit).select('id'));
}
