// Verifications of the audit chain asked for from the console: the request, then the worker's result.
import type { Db, Tx } from './knex.ts';

export interface AuditVerification {
  id: number;
  requested_at: string;
  requested_by: number | null;
  requested_by_label: string | null;
  /** failed: the job gave up (the database unreachable, say) without a verdict on the chain. */
  status: 'queued' | 'ok' | 'broken' | 'failed';
  finished_at: string | null;
  events: number | null;
  bad_seq: number | null;
  message: string | null;
}

const shaped = (r: Record<string, unknown> | undefined): AuditVerification | null =>
  r
    ? ({
        ...r,
        id: Number(r.id),
        requested_by: r.requested_by == null ? null : Number(r.requested_by),
        events: r.events == null ? null : Number(r.events),
        bad_seq: r.bad_seq == null ? null : Number(r.bad_seq),
      } as AuditVerification)
    : null;

export async function insertVerification(trx: Tx, by: { userId: number | null; label: string | null }, at: string): Promise<number> {
  const [row] = await trx('audit_verifications')
    .insert({ requested_at: at, requested_by: by.userId, requested_by_label: by.label, status: 'queued' })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function findVerification(db: Db | Tx, id: number): Promise<AuditVerification | null> {
  return shaped(await db('audit_verifications').where({ id }).first());
}

/** Records the worker's result once: a second run of the same job finds it finished and changes nothing. */
export async function finishVerification(
  trx: Tx,
  id: number,
  result: { status: 'ok' | 'broken' | 'failed'; events: number | null; badSeq: number | null; message: string | null },
  at: string,
): Promise<boolean> {
  const n = await trx('audit_verifications')
    .where({ id, status: 'queued' })
    .update({ status: result.status, events: result.events, bad_seq: result.badSeq, message: result.message, finished_at: at });
  return n > 0;
}

/**
 * The newest finished verification, and the newest one still waiting if it was asked for after it
 * (two reads on small indexes), with the requester's name.
 */
export async function latestVerifications(db: Db): Promise<{ finished: (AuditVerification & { requester: string | null }) | null; waiting: (AuditVerification & { requester: string | null }) | null }> {
  const base = () => db('audit_verifications as v').leftJoin('users as u', 'u.id', 'v.requested_by').select('v.*', 'u.display_name as requester');
  const [finished, waiting] = await Promise.all([
    base().whereNotNull('v.finished_at').orderBy('v.id', 'desc').first(),
    base().where('v.status', 'queued').orderBy('v.id', 'desc').first(),
  ]);
  const withName = (r: Record<string, unknown> | undefined) => {
    const v = shaped(r);
    return v ? { ...v, requester: (r!.requester as string | null) ?? v.requested_by_label } : null;
  };
  const f = withName(finished);
  const w = withName(waiting);
  return { finished: f, waiting: w && (!f || w.id > f.id) ? w : null };
}
