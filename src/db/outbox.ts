import { writeOutsideAudit, type Db, type Tx } from './knex.ts';

export interface OutboxRow {
  id: number;
  topic: string;
  payload: string;
}

/** Written in the same transaction as the change that causes it; the relay publishes it later. */
export async function addOutbox(trx: Tx, topic: string, payload: Record<string, unknown>): Promise<void> {
  await trx('outbox').insert({ topic, payload: JSON.stringify(payload), created_at: new Date().toISOString() });
}

export async function unpublishedOutbox(db: Db, limit: number): Promise<OutboxRow[]> {
  return db<OutboxRow>('outbox').whereNull('published_at').orderBy('id').limit(limit).select('id', 'topic', 'payload');
}

export async function markPublished(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await writeOutsideAudit(db, (q) => q('outbox').whereIn('id', ids).whereNull('published_at').update({ published_at: new Date().toISOString() }));
}
