import type { Db, Tx } from './knex.ts';

export interface Batch {
  id: number;
  created_by: number;
  status: 'queued' | 'running' | 'done';
  total: number;
  processed: number;
  item_ids: string;
  message: string | null;
  cc: string | null;
  redirect_url: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface BatchRow {
  id: number;
  batch_id: number;
  row_number: number;
  email: string;
  display_name: string | null;
  result: 'pending' | 'invited' | 'already_guest' | 'refused_domain' | 'malformed' | 'duplicate';
  detail: string | null;
}

export async function findBatch(db: Db | Tx, id: number): Promise<Batch | undefined> {
  return db<Batch>('invitation_batches').where({ id }).first();
}

export async function batchRows(db: Db | Tx, batchId: number): Promise<BatchRow[]> {
  return db<BatchRow>('invitation_batch_rows').where({ batch_id: batchId }).orderBy('row_number');
}

export async function recentBatches(db: Db | Tx, createdBy: number | null, limit = 10): Promise<Batch[]> {
  const q = db<Batch>('invitation_batches').orderBy('id', 'desc').limit(limit);
  if (createdBy !== null) q.where({ created_by: createdBy });
  return q;
}
