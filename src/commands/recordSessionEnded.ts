import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import type { Principal } from '../domain/principal.ts';

/**
 * A session ended by the product, not by its person (they were disabled or removed, or their IdP
 * was): on record under that person, with the reason, before the web regenerates the session.
 */
export async function recordSessionEnded(deps: Deps, ctx: AuditContext, principal: Principal, reason: string): Promise<void> {
  await inTransaction(deps.db, (trx) =>
    appendAudit(trx, ctx, {
      action: 'auth.session_ended',
      target: principal.userId ? `user:${principal.userId}` : null,
      details: { reason, idp: principal.idpSlug },
    }),
  );
}
