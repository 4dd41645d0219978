import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { findItem } from '../../../db/catalog.ts';
import { removeGuestMembership } from '../../../db/guests.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** The guest loses the item on their next request; removing one they do not hold changes nothing. */
export async function removeMembership(deps: Deps, ctx: AuditContext, guestId: number, itemId: number): Promise<void> {
  await requireGuest(deps.db, guestId);
  const item = await findItem(deps.db, itemId);
  await inTransaction(deps.db, async (trx) => {
    if (await removeGuestMembership(trx, guestId, itemId)) {
      await appendAudit(trx, ctx, { action: 'membership.removed', target: `user:${guestId}`, details: { item: item?.name ?? itemId } });
      await noteAppAccessEnded(trx, guestId, [itemId]);
    }
  });
}
