import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { changeGuestState, itemsOfGuest } from '../../../db/guests.ts';
import { revokeInvitations } from '../../../db/invitations.ts';
import { changeUserEmail, unbindIdentities } from '../../../db/users.ts';
import { conflict } from '../../../domain/errors.ts';
import { inviteGuest, type InviteInput, type InviteResult } from '../../inviteGuest.ts';
import { issueInvitation, type IssueInvitation } from '../../issueInvitation.ts';
import { recordRefusal } from '../../recordRefusal.ts';
import { queueRedemptionResetNotices } from '../../redemptionResetNotices.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/**
 * Revokes every invitation and unbinds the identities, then invites again: the guest can redeem
 * with another identity (Azure AD B2B's "reset redemption status").
 */
export async function resetRedemption(
  deps: Deps,
  ctx: AuditContext,
  guestId: number,
  by: number | null,
  sponsorName: string,
  extra: Pick<InviteInput, 'message' | 'cc' | 'redirectUrl' | 'invitedByClient' | 'messageLanguage'> & { email?: string } = {},
  issue: IssueInvitation = issueInvitation,
): Promise<InviteResult> {
  const guest = await requireGuest(deps.db, guestId);
  if (guest.state === 'removed' || guest.state === 'disabled') {
    // Whoever redeems after a reset becomes this guest: it must never bring back one who was turned off.
    await recordRefusal(deps.db, ctx, 'guest.redemption_reset', `user:${guestId}`, `guest is ${guest.state}`);
    throw conflict(guest.state === 'removed' ? 'guests.removedNoChange' : 'guests.disabledNoReset');
  }
  return inTransaction(deps.db, async (trx) => {
    // Graph's resetRedemption may also change the address the guest is invited at.
    if (extra.email && extra.email !== guest.email) {
      await changeUserEmail(trx, guestId, extra.email);
      await appendAudit(trx, ctx, { action: 'guest.updated', target: `user:${guestId}`, details: { changes: { email: [guest.email, extra.email] } } });
    }
    const revoked = await revokeInvitations(trx, guestId, 'pending and redeemed');
    const unbound = await unbindIdentities(trx, guestId);
    // Conditional: a guest disabled or removed since the check above stays so (the throw undoes it all).
    if (!(await changeGuestState(trx, guestId, ['invited', 'active'], 'invited'))) throw conflict('guests.disabledNoReset');
    await appendAudit(trx, ctx, {
      action: 'guest.redemption_reset',
      target: `user:${guestId}`,
      details: {
        invitationsRevoked: revoked,
        identitiesUnbound: unbound,
        previousEmail: guest.email,
        newEmail: extra.email ?? guest.email,
        changes: { state: [guest.state, 'invited'] },
      },
    });
    // The identity that was bound signs in to no app any more.
    if (unbound > 0) await noteAppAccessEnded(trx, guestId, null);
    const { email: newEmail, ...options } = extra;
    const invited = await inviteGuest(trx, deps.config, ctx, {
      email: newEmail ?? guest.email,
      displayName: guest.display_name,
      items: await itemsOfGuest(trx, guestId),
      invitedBy: by,
      sponsorName,
      source: 'invitation',
      knownUser: { ...guest, email: newEmail ?? guest.email, state: 'invited' },
      ...options,
    }, issue);
    await queueRedemptionResetNotices(trx, deps.config, {
      guest,
      newEmail: invited.user.email,
      redeemed: guest.state === 'active' || unbound > 0,
      invitationId: invited.invitationId!,
      by: sponsorName,
      byUserId: by,
    });
    return invited;
  });
}
