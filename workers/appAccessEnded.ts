// A person's access to apps ended (outbox topic app.access_ended): which apps to sign them out of.
// Each app gets a job of its own (workers/appSignOut.ts), so an app whose endpoint is down is
// retried alone and never holds back, or makes us resend to, the others.
import type { Deps } from '../src/deps.ts';
import { allAppClients, clientsOfItems } from '../src/db/appClients.ts';
import { consentedItemIds } from '../src/db/appConsents.ts';
import { grantsOfAccount } from '../src/db/oidcStore.ts';
import type { AppAccessEnded } from '../src/commands/appAccessEnded.ts';

/**
 * The clients concerned, of the items named (or of every app when the person can sign in to none
 * any more): those the person holds a grant of, or consented to (an app's own session may outlive
 * our grant). An app they never signed in to knows nothing of them and is told nothing.
 */
export async function appsToSignOut(deps: Deps, data: AppAccessEnded): Promise<string[]> {
  const clients = data.itemIds ? await clientsOfItems(deps.db, data.itemIds) : await allAppClients(deps.db);
  const granted = new Set((await grantsOfAccount(deps.db, String(data.userId))).map((g) => g.clientId));
  const consented = new Set(await consentedItemIds(deps.db, data.userId));
  return clients.filter((c) => granted.has(c.client_id) || consented.has(c.item_id)).map((c) => c.client_id);
}
