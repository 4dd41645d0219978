// Access to apps ended (a membership removed or expired, a guest disabled, removed or reset): the
// outbox row, written in the transaction of the change, from which a job revokes the person's
// grants at each app concerned and tells the apps (OpenID Connect back-channel logout). The change
// itself never waits on the apps.
import type { Tx } from '../db/knex.ts';
import { addOutbox } from '../db/outbox.ts';
import { clientsOfItems } from '../db/appClients.ts';

export const APP_ACCESS_ENDED = 'app.access_ended';

/** itemIds: the app items concerned; null: every app (the person can no longer sign in at all). */
export interface AppAccessEnded {
  userId: number;
  itemIds: number[] | null;
}

/** Writes the row unless none of the items is an app with a client (a group, say); true when written. */
export async function noteAppAccessEnded(trx: Tx, userId: number, itemIds: number[] | null): Promise<boolean> {
  let apps = itemIds;
  if (apps) {
    apps = (await clientsOfItems(trx, apps)).map((c) => c.item_id);
    if (apps.length === 0) return false;
  }
  const payload: AppAccessEnded = { userId, itemIds: apps };
  await addOutbox(trx, APP_ACCESS_ENDED, { ...payload });
  return true;
}
