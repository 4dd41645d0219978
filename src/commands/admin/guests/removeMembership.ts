import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction, type Tx } from '../../../db/knex.ts';
import { findItem } from '../../../db/catalog.ts';
import { removeGuestMembership } from '../../../db/guests.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** The guest loses the item on their next request; removing one they do not hold changes nothing. */
export async function removeMembership(deps: Deps, ctx: AuditContext, guestId: number, itemId: number): Promise<void> {
  await requireGuest(deps.db, guestId);
  const item = await findItem(deps.db, itemId);
  await inTransaction(deps.db, (trx) => removeMembershipIn(trx, ctx, guestId, itemId, item?.name ?? itemId));
}

/**
 * The removal itself, inside the caller's transaction (an admin's removal above, an access review's
 * result): the membership deleted, audited, and the apps concerned told. False when the guest did not
 * hold the item (nothing written). `details` add to the audit event (e.g. the review it comes from).
 */
export async function removeMembershipIn(trx: Tx, ctx: AuditContext, guestId: number, itemId: number, itemName: string | number, details: Record<string, unknown> = {}): Promise<boolean> {
  if (!(await removeGuestMembership(trx, guestId, itemId))) return false;
  await appendAudit(trx, ctx, { action: 'membership.removed', target: `user:${guestId}`, details: { item: itemName, ...details } });
  await noteAppAccessEnded(trx, guestId, [itemId]);
  return true;
}
