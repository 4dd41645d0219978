import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { insertVerification } from '../../db/auditVerifications.ts';
import { inTransaction } from '../../db/knex.ts';
import { addOutbox } from '../../db/outbox.ts';

/**
 * An admin asks for the audit chain to be verified: the request, its audit event and the job's
 * outbox row in one transaction (the relay makes it one Bull job, under the row's id). Returns the
 * verification's id.
 */
export async function requestAuditVerification(deps: Deps, ctx: AuditContext, requester: { userId: number | null; label: string | null }): Promise<number> {
  return inTransaction(deps.db, async (trx) => {
    const id = await insertVerification(trx, requester, new Date().toISOString());
    await appendAudit(trx, ctx, { action: 'audit.verify_requested', target: `verification:${id}` });
    await addOutbox(trx, 'audit.verify', { verificationId: id, correlationId: ctx.correlationId });
    return id;
  });
}

/** An export of the log is a read of everything in it: recorded, with the filter, before it starts. */
export async function recordAuditExport(deps: Deps, ctx: AuditContext, format: 'csv' | 'jsonl', filter: Record<string, unknown>): Promise<void> {
  await inTransaction(deps.db, (trx) => appendAudit(trx, ctx, { action: 'audit.exported', target: null, details: { format, filter } }));
}
