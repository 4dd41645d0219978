// What happens between a person and an application, on the record: a sign-in that issued a code,
// and consent given, declined or withdrawn. (Refusals go through recordRefusal.)
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { deleteConsent, saveConsent } from '../db/appConsents.ts';
import { destroyOidcGrant, grantIdsOf } from '../db/oidcStore.ts';
import type { AppClaim, AppClient } from '../db/rows.ts';

export async function recordAppSignIn(deps: Deps, ctx: AuditContext, app: { itemId: number; clientId: string }, details: Record<string, unknown>): Promise<void> {
  await inTransaction(deps.db, (trx) =>
    appendAudit(trx, ctx, { action: 'app.sign_in', target: `item:${app.itemId}`, details: { clientId: app.clientId, ...details } }),
  );
}

export async function giveConsent(deps: Deps, ctx: AuditContext, userId: number, app: { itemId: number; clientId: string }, claims: AppClaim[]): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await saveConsent(trx, userId, app.itemId, claims);
    await appendAudit(trx, ctx, { action: 'app.consent_given', target: `item:${app.itemId}`, details: { clientId: app.clientId, userId, claims } });
  });
}

export async function declineConsent(deps: Deps, ctx: AuditContext, userId: number, app: { itemId: number; clientId: string }): Promise<void> {
  await inTransaction(deps.db, (trx) =>
    appendAudit(trx, ctx, { action: 'app.consent_declined', target: `item:${app.itemId}`, outcome: 'denied', details: { clientId: app.clientId, userId } }),
  );
}

/**
 * Withdraws a person's consent to an app: the next sign-in asks again, and every grant the app holds
 * for them (its refresh and access tokens) is revoked now. False when there was nothing to withdraw.
 */
export async function withdrawConsent(deps: Deps, ctx: AuditContext, userId: number, client: Pick<AppClient, 'item_id' | 'client_id'>): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const had = await deleteConsent(trx, userId, client.item_id);
    const grants = await grantIdsOf(trx, String(userId), client.client_id);
    for (const g of grants) await destroyOidcGrant(trx, g);
    if (!had && grants.length === 0) return false;
    await appendAudit(trx, ctx, {
      action: 'app.consent_withdrawn',
      target: `item:${client.item_id}`,
      details: { clientId: client.client_id, userId, grantsRevoked: grants.length },
    });
    return true;
  });
}
