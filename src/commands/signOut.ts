import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';

/**
 * Puts a sign-out on record, before the session goes: the caller (the web, which owns the session)
 * ends it afterwards, so a sign-out that could not be audited ends nothing.
 */
export async function signOut(deps: Deps, ctx: AuditContext): Promise<void> {
  await inTransaction(deps.db, (trx) => appendAudit(trx, ctx, { action: 'auth.signed_out' }));
}
