import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/knex.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';

/** Every refused authorization leaves a trace, in its own small transaction. */
export async function recordRefusal(db: Db, ctx: AuditContext, action: string, target: string | null, reason: string): Promise<void> {
  await inTransaction(db, (trx) => appendAudit(trx, ctx, { action, target, outcome: 'denied', details: { reason } }));
}
