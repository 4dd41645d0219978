import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { itemsOfGuest } from '../../../db/guests.ts';
import { insertInvitation, latestInvitation } from '../../../db/invitations.ts';
import { markInvitationExpired } from '../../../db/invitationExpiry.ts';
import type { Invitation } from '../../../db/rows.ts';
import { actorUserId } from '../../../domain/auditActions.ts';
import { findUserById } from '../../../db/users.ts';
import { queueSystemMail } from '../../../mail/send.ts';
import { conflict } from '../../../domain/errors.ts';
import { invitationMail } from '../../../mail/templates.ts';
import { requireGuest } from './requireGuest.ts';
import { findRequest } from '../../../db/requests.ts';
import { decisionOfRequest } from '../../../mail/decision.ts';
import { now, nowIso } from '../../../domain/clock.ts';

/**
 * Mails the pending invitation again with a fresh token (the previous link stops working). An expired
 * one is replaced: a new invitation with the same terms and a new expiry, mailed and audited.
 */
export async function resendInvitation(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  const inv = await latestInvitation(deps.db, guestId);
  // Only a guest still waiting to redeem gets a fresh invitation: a disabled or removed one stays so.
  if (inv && guest.state === 'invited' && (inv.status === 'expired' || (inv.status === 'pending' && inv.expires_at <= nowIso()))) return reissueInvitation(deps, ctx, guestId, inv);
  if (!inv || inv.status !== 'pending' || inv.expires_at <= nowIso()) throw conflict('guests.noPendingInvitation');
  await inTransaction(deps.db, async (trx) => {
    const items = await itemsOfGuest(trx, guestId);
    const inviter = inv.invited_by ? await findUserById(trx, inv.invited_by) : undefined;
    // An invitation that followed a sponsor's decision says it again: approved, denied and why, until when.
    const request = inv.request_id ? await findRequest(trx, inv.request_id) : undefined;
    const decision = request ? await decisionOfRequest(trx, request, Date.parse(inv.created_at) || now()) : null;
    await queueSystemMail(
      trx,
      invitationMail(deps.config, { id: inv.id, email: inv.email, expiresAt: inv.expires_at, userId: guestId }, items, inviter?.display_name ?? '', {
        message: inv.message,
        cc: inv.cc ? String(inv.cc).split(' ') : [],
        dedupeKey: `invitation:${inv.id}:resend:${Date.now()}`,
        decision,
      }),
    );
    await appendAudit(trx, ctx, { action: 'invitation.resent', target: `invitation:${inv.id}`, details: { email: inv.email } });
  });
}

/** The expired invitation gives way to a fresh one: same guest, request, message and copies; a new expiry; the resender as inviter. */
async function reissueInvitation(deps: Deps, ctx: AuditContext, guestId: number, old: Invitation): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const stamp = new Date().toISOString();
    // Still marked pending when the sweep has not come by yet: marked expired here (first wins).
    if (old.status === 'pending' && !(await markInvitationExpired(trx, old.id, stamp))) throw conflict('guests.noPendingInvitation');
    const actorId = ctx.actor.type === 'user' ? actorUserId(ctx.actor.id) : null;
    const invitedBy = actorId ?? old.invited_by;
    const expiresAt = new Date(now() + deps.config.invitationTtlHours * 3600 * 1000).toISOString();
    const id = await insertInvitation(trx, {
      email: old.email,
      user_id: guestId,
      request_id: old.request_id,
      invited_by: invitedBy,
      redirect_url: old.redirect_url,
      message: old.message,
      expires_at: expiresAt,
      cc: old.cc,
    });
    const items = await itemsOfGuest(trx, guestId);
    const inviter = invitedBy ? await findUserById(trx, invitedBy) : undefined;
    await queueSystemMail(
      trx,
      invitationMail(deps.config, { id, email: old.email, expiresAt, userId: guestId }, items, inviter?.display_name ?? '', {
        message: old.message,
        cc: old.cc ? String(old.cc).split(' ') : [],
      }),
    );
    await appendAudit(trx, ctx, { action: 'invitation.resent', target: `invitation:${id}`, details: { email: old.email, replaces: old.id, expiresAt } });
  });
}
