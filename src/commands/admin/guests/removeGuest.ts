import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { markGuestRemoved, removeAllGuestMemberships } from '../../../db/guests.ts';
import { revokeInvitations } from '../../../db/invitations.ts';
import { conflict } from '../../../domain/errors.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** Ends everything at once: memberships deleted, invitations revoked, sign-in refused from now on. */
export async function removeGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    if (!(await markGuestRemoved(trx, guestId))) throw conflict();
    const memberships = await removeAllGuestMemberships(trx, guestId);
    await revokeInvitations(trx, guestId, 'pending');
    await appendAudit(trx, ctx, {
      action: 'guest.removed',
      target: `user:${guestId}`,
      details: { email: guest.email, membershipsRemoved: memberships, changes: { state: [guest.state, 'removed'] } },
    });
    await noteAppAccessEnded(trx, guestId, null);
  });
}
