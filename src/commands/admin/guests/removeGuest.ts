import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction, type Tx } from '../../../db/knex.ts';
import { changeGuestState, markGuestRemoved, removeAllGuestMemberships } from '../../../db/guests.ts';
import { revokeInvitations } from '../../../db/invitations.ts';
import type { User } from '../../../db/rows.ts';
import { conflict } from '../../../domain/errors.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** Ends everything at once: memberships deleted, invitations revoked, sign-in refused from now on. */
export async function removeGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    if (!(await removeGuestWithin(trx, ctx, guest))) throw conflict();
  });
}

/**
 * The removal itself, in the caller's transaction (an admin's, or the system's for a guest disabled
 * for inactivity, who is removed only while still disabled: `from`). The guest's row, requests and
 * audit events stay: their history remains readable. False when someone came first.
 */
export async function removeGuestWithin(
  trx: Tx,
  ctx: AuditContext,
  guest: Pick<User, 'id' | 'state' | 'email'>,
  from?: User['state'][],
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const moved = from ? await changeGuestState(trx, guest.id, from, 'removed') : await markGuestRemoved(trx, guest.id);
  if (!moved) return false;
  const memberships = await removeAllGuestMemberships(trx, guest.id);
  await revokeInvitations(trx, guest.id, 'pending');
  await appendAudit(trx, ctx, {
    action: 'guest.removed',
    target: `user:${guest.id}`,
    details: { email: guest.email, membershipsRemoved: memberships, changes: { state: [guest.state, 'removed'] }, ...details },
  });
  await noteAppAccessEnded(trx, guest.id, null);
  return true;
}
