import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';

/** Why a sign-in at an IdP failed, as the log keeps it: our reading, and the remote party's text apart. */
export type SignInFailure = {
  error: string;
  remote?: { error?: string; description?: string };
};

/** A callback from an IdP that did not sign anyone in: on record with the IdP it came back from. */
export async function recordSignInFailure(deps: Deps, ctx: AuditContext, idpSlug: string, failure: SignInFailure): Promise<void> {
  await inTransaction(deps.db, (trx) =>
    appendAudit(trx, ctx, { action: 'auth.sign_in', target: `idp:${idpSlug}`, outcome: 'failure', details: failure }),
  );
}
