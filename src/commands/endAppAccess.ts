// What ending a person's access to one app does, on the record: their grants there (refresh and
// access tokens, codes) revoked, and the app told by a back-channel logout token, or not reached.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { destroyOidcGrant, grantIdsOf } from '../db/oidcStore.ts';
import type { AppClient } from '../db/rows.ts';

type App = Pick<AppClient, 'item_id' | 'client_id'>;

/** Revokes every grant the person holds at this app; audited only when there was one. */
export async function revokeAppGrants(deps: Deps, ctx: AuditContext, userId: number, app: App): Promise<number> {
  return inTransaction(deps.db, async (trx) => {
    const grants = await grantIdsOf(trx, String(userId), app.client_id);
    for (const g of grants) await destroyOidcGrant(trx, g);
    if (grants.length > 0) {
      await appendAudit(trx, ctx, { action: 'app.tokens_revoked', target: `item:${app.item_id}`, details: { userId, clientId: app.client_id, grants: grants.length } });
    }
    return grants.length;
  });
}

/** A back-channel logout delivered, or given up on after its last attempt. */
export async function recordBackchannelLogout(
  deps: Deps,
  ctx: AuditContext,
  userId: number,
  app: App,
  outcome: 'success' | 'failure',
  failure?: { attempts: number; error: string },
): Promise<void> {
  await inTransaction(deps.db, (trx) =>
    appendAudit(trx, ctx, {
      action: 'app.backchannel_logout',
      target: `item:${app.item_id}`,
      outcome,
      details: { userId, clientId: app.client_id, ...failure },
    }),
  );
}
