import type { Db, Tx } from './knex.ts';
import { ChainVerifier, eventHash, type ChainCheck, type ChainedEvent } from '../domain/auditChain.ts';

export interface Actor {
  type: 'user' | 'anonymous' | 'system' | 'api';
  id: string | null;
  label: string | null;
}

/** Who did it and from where: passed from the web request or the job into every command. */
export interface AuditContext {
  actor: Actor;
  ip: string | null;
  correlationId: string | null;
}

export interface AuditInput {
  action: string;
  target?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
}

export type AuditRow = ChainedEvent & { hash: string };

/** Appends one event; must run inside `inTransaction`, which holds the head row lock. */
export async function appendAudit(trx: Tx, ctx: AuditContext, input: AuditInput): Promise<number> {
  const head = await trx('audit_head').where({ id: 1 }).first();
  const seq = Number(head.seq) + 1;
  const row = {
    seq,
    at: new Date().toISOString(),
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    actor_label: ctx.actor.label,
    action: input.action,
    target: input.target ?? null,
    outcome: input.outcome ?? 'success',
    ip: ctx.ip,
    correlation_id: ctx.correlationId,
    details: JSON.stringify(input.details ?? {}),
    prev_hash: head.hash as string,
  };
  const hash = eventHash(row);
  await trx('audit_events').insert({ ...row, hash });
  await trx('audit_head').where({ id: 1 }).update({ seq, hash });
  return seq;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  before?: number; // keyset paging: events with seq < before
  limit?: number;
}

/** Newest first, keyset-paged on seq so a deep page costs the same as the first. */
export async function listAudit(db: Db | Tx, f: AuditFilter): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const q = db<AuditRow>('audit_events').orderBy('seq', 'desc').limit(limit + 1);
  if (f.actor) q.where('actor_label', f.actor.toLowerCase());
  if (f.action) q.where('action', f.action);
  if (f.target) q.where('target', f.target);
  if (f.before) q.where('seq', '<', f.before);
  const rows = (await q).map((r) => ({ ...r, seq: Number(r.seq) }));
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return { rows: page, nextBefore: more ? page[page.length - 1].seq : null };
}

export async function eventsForTarget(db: Db, target: string): Promise<AuditRow[]> {
  return (await db<AuditRow>('audit_events').where({ target }).orderBy('seq', 'asc')).map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Reads the whole log in pages and checks every link; reports the first bad sequence number. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await db<AuditRow>('audit_events').where('seq', '>', after).orderBy('seq', 'asc').limit(pageSize);
    for (const r of rows) {
      const bad = verifier.check(r);
      if (bad) return bad;
    }
    if (rows.length < pageSize) break;
    after = Number(rows[rows.length - 1].seq);
  }
  const head = await db('audit_head').where({ id: 1 }).first();
  return verifier.finish(head);
}
