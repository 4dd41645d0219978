import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { addOutbox } from '../db/outbox.ts';

/** An app this browser had signed in to through Passerelle, and its session id there. */
export interface AppSession {
  clientId: string;
  sid: string;
}

/**
 * Puts a sign-out on record, before the session goes: the caller (the web, which owns the session)
 * ends it afterwards, so a sign-out that could not be audited ends nothing. The apps this browser
 * signed in to are each sent a back-channel logout for that session, by a job.
 */
export async function signOut(deps: Deps, ctx: AuditContext, signedOutOf: { userId: number; apps: AppSession[] } | null = null): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await appendAudit(trx, ctx, { action: 'auth.signed_out', ...(signedOutOf?.apps.length && { details: { apps: signedOutOf.apps.map((a) => a.clientId) } }) });
    for (const app of signedOutOf?.apps ?? []) {
      await addOutbox(trx, 'app.session_ended', { userId: signedOutOf!.userId, clientId: app.clientId, sid: app.sid });
    }
  });
}
