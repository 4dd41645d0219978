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

/** The first job to pick a batch up marks it running; a rerun finds it running already. */
export async function markBatchRunning(db: Db | Tx, id: number): Promise<void> {
  await db('invitation_batches').where({ id, status: 'queued' }).update({ status: 'running' });
}

/** The next row nobody has worked on yet, in file order. */
export async function nextPendingRow(db: Db | Tx, batchId: number): Promise<BatchRow | undefined> {
  return db<BatchRow>('invitation_batch_rows').where({ batch_id: batchId, result: 'pending' }).orderBy('row_number').first();
}

/** Read again inside the row's transaction: a second run of the job may have done it meanwhile. */
export async function isRowPending(trx: Tx, rowId: number): Promise<boolean> {
  return Boolean(await trx('invitation_batch_rows').where({ id: rowId, result: 'pending' }).first('id'));
}

/** A row's outcome, counted in the batch's progress in the same transaction. */
export async function recordRowResult(trx: Tx, batchId: number, rowId: number, result: BatchRow['result'], detail: string | null): Promise<void> {
  await trx('invitation_batch_rows').where({ id: rowId }).update({ result, detail });
  await trx('invitation_batches').where({ id: batchId }).update({ processed: trx.raw('processed + 1') });
}

export async function markBatchDone(db: Db | Tx, id: number): Promise<void> {
  await db('invitation_batches').where({ id }).whereNot({ status: 'done' }).update({ status: 'done', finished_at: new Date().toISOString() });
}

export async function insertBatch(
  trx: Tx,
  b: Pick<Batch, 'created_by' | 'total' | 'processed' | 'item_ids' | 'message' | 'cc' | 'redirect_url'>,
): Promise<number> {
  const [row] = await trx('invitation_batches')
    .insert({ ...b, status: 'queued', created_at: new Date().toISOString() })
    .returning('id');
  return (row as { id: number }).id;
}

/** A batch's rows, 200 to a statement. */
export async function insertBatchRows(trx: Tx, batchId: number, rows: Omit<BatchRow, 'id' | 'batch_id'>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await trx('invitation_batch_rows').insert(rows.slice(i, i + 200).map((r) => ({ batch_id: batchId, ...r })));
  }
}
