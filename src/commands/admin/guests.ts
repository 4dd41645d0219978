// What an admin (or, for their own items, an owner) can do to a guest. Each action is one
// transaction with its audit event; a removed or disabled guest loses access on their next request.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction, type Tx } from '../../db/knex.ts';
import { findGuest, latestInvitation } from '../../db/guests.ts';
import { findItem, findItemsByIds } from '../../db/catalog.ts';
import { findUserById } from '../../db/users.ts';
import { grantMembership } from '../../db/memberships.ts';
import { queueMail } from '../../db/mail.ts';
import { addOutbox } from '../../db/outbox.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import { inviteGuest, type InviteInput, type InviteResult } from '../inviteGuest.ts';
import { invitationMail } from '../../mail/templates.ts';
import { recordRefusal } from '../recordRefusal.ts';
import { queueRedemptionResetNotices } from '../redemptionResetNotices.ts';

async function guestOr404(deps: Deps, id: number) {
  const guest = await findGuest(deps.db, id);
  if (!guest) throw notFound();
  return guest;
}

export async function addSponsor(deps: Deps, ctx: AuditContext, guestId: number, sponsorId: number): Promise<void> {
  await guestOr404(deps, guestId);
  const sponsor = await findUserById(deps.db, sponsorId);
  if (!sponsor || sponsor.user_type !== 'member') throw invalid('errors.invalidForm', { sponsor: 'validation.choice' });
  await inTransaction(deps.db, async (trx) => {
    if (await trx('guest_sponsors').where({ guest_id: guestId, sponsor_id: sponsorId }).first()) return;
    await trx('guest_sponsors').insert({ guest_id: guestId, sponsor_id: sponsorId });
    await appendAudit(trx, ctx, { action: 'guest.sponsor_added', target: `user:${guestId}`, details: { sponsor: sponsor.email } });
  });
}

export async function removeSponsor(deps: Deps, ctx: AuditContext, guestId: number, sponsorId: number): Promise<void> {
  await guestOr404(deps, guestId);
  await inTransaction(deps.db, async (trx) => {
    const n = await trx('guest_sponsors').where({ guest_id: guestId, sponsor_id: sponsorId }).delete();
    if (Number(n)) await appendAudit(trx, ctx, { action: 'guest.sponsor_removed', target: `user:${guestId}`, details: { sponsor: sponsorId } });
  });
}

export async function addMembership(deps: Deps, ctx: AuditContext, guestId: number, itemId: number, grantedBy: number | null): Promise<void> {
  const guest = await guestOr404(deps, guestId);
  const item = await findItem(deps.db, itemId);
  if (!item) throw invalid('errors.invalidForm', { item: 'validation.choice' });
  if (guest.state === 'removed') throw conflict('guests.removedNoChange');
  await inTransaction(deps.db, async (trx) => {
    const expiresAt = item.max_days ? new Date(Date.now() + item.max_days * 86_400_000).toISOString() : null;
    const granted = await grantMembership(trx, { userId: guestId, itemId, source: 'direct', sourceId: null, grantedBy, expiresAt });
    if (granted) await appendAudit(trx, ctx, { action: 'membership.granted', target: `user:${guestId}`, details: { item: item.name, expiresAt } });
  });
}

export async function removeMembership(deps: Deps, ctx: AuditContext, guestId: number, itemId: number): Promise<void> {
  await guestOr404(deps, guestId);
  const item = await findItem(deps.db, itemId);
  await inTransaction(deps.db, async (trx) => {
    const n = await trx('memberships').where({ user_id: guestId, item_id: itemId }).delete();
    if (Number(n)) await appendAudit(trx, ctx, { action: 'membership.removed', target: `user:${guestId}`, details: { item: item?.name ?? itemId } });
  });
}

/** Mails the pending invitation again with a fresh token (the previous link stops working). */
export async function resendInvitation(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  await guestOr404(deps, guestId);
  const inv = await latestInvitation(deps.db, guestId);
  if (!inv || inv.status !== 'pending' || inv.expires_at <= new Date().toISOString()) throw conflict('guests.noPendingInvitation');
  await inTransaction(deps.db, async (trx) => {
    const items = await itemsOfGuest(trx, guestId);
    const inviter = inv.invited_by ? await findUserById(trx, inv.invited_by) : undefined;
    const mail = await queueMail(
      trx,
      invitationMail(deps.config, { id: inv.id, email: inv.email, expiresAt: inv.expires_at }, items, inviter?.display_name ?? '', {
        message: inv.message,
        cc: inv.cc ? String(inv.cc).split(' ') : [],
        dedupeKey: `invitation:${inv.id}:resend:${Date.now()}`,
      }),
    );
    await addOutbox(trx, 'mail.send', { mailId: mail.id });
    await appendAudit(trx, ctx, { action: 'invitation.resent', target: `invitation:${inv.id}`, details: { email: inv.email } });
  });
}

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
  extra: Pick<InviteInput, 'message' | 'cc' | 'redirectUrl' | 'sendMail' | 'linkToken' | 'invitedByClient'> & { email?: string } = {},
): Promise<InviteResult> {
  const guest = await guestOr404(deps, guestId);
  if (guest.state === 'removed' || guest.state === 'disabled') {
    // Whoever redeems after a reset becomes this guest: it must never bring back one who was turned off.
    await recordRefusal(deps.db, ctx, 'guest.redemption_reset', `user:${guestId}`, `guest is ${guest.state}`);
    throw conflict(guest.state === 'removed' ? 'guests.removedNoChange' : 'guests.disabledNoReset');
  }
  return inTransaction(deps.db, async (trx) => {
    // Graph's resetRedemption may also change the address the guest is invited at.
    if (extra.email && extra.email !== guest.email) {
      await trx('users').where({ id: guestId }).update({ email: extra.email });
      await appendAudit(trx, ctx, { action: 'guest.updated', target: `user:${guestId}`, details: { changes: { email: [guest.email, extra.email] } } });
    }
    const revoked = await trx('invitations').where({ user_id: guestId }).whereIn('status', ['pending', 'redeemed']).update({ status: 'revoked' });
    const unbound = await trx('user_identities').where({ user_id: guestId }).delete();
    // Conditional: a guest disabled or removed since the check above stays so (the throw undoes it all).
    const reset = await trx('users').where({ id: guestId }).whereIn('state', ['invited', 'active']).update({ state: 'invited' });
    if (!Number(reset)) throw conflict('guests.disabledNoReset');
    await appendAudit(trx, ctx, {
      action: 'guest.redemption_reset',
      target: `user:${guestId}`,
      details: {
        invitationsRevoked: Number(revoked),
        identitiesUnbound: Number(unbound),
        previousEmail: guest.email,
        newEmail: extra.email ?? guest.email,
        changes: { state: [guest.state, 'invited'] },
      },
    });
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
    });
    await queueRedemptionResetNotices(trx, deps.config, {
      guest,
      newEmail: invited.user.email,
      redeemed: guest.state === 'active' || Number(unbound) > 0,
      invitationId: invited.invitationId!,
      by: sponsorName,
      byUserId: by,
    });
    return invited;
  });
}

export async function setGuestState(deps: Deps, ctx: AuditContext, guestId: number, state: 'disabled' | 'active'): Promise<void> {
  const guest = await guestOr404(deps, guestId);
  const from = state === 'disabled' ? ['active', 'invited'] : ['disabled'];
  await inTransaction(deps.db, async (trx) => {
    // Enabling returns a guest to "active" only if they had redeemed; otherwise to "invited".
    const target = state === 'active' && !(await trx('user_identities').where({ user_id: guestId }).first()) ? 'invited' : state;
    const n = await trx('users').where({ id: guestId }).whereIn('state', from).update({ state: target });
    if (!Number(n)) throw conflict();
    await appendAudit(trx, ctx, { action: state === 'disabled' ? 'guest.disabled' : 'guest.enabled', target: `user:${guestId}`, details: { changes: { state: [guest.state, target] } } });
  });
}

/** Ends everything at once: memberships deleted, invitations revoked, sign-in refused from now on. */
export async function removeGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await guestOr404(deps, guestId);
  await inTransaction(deps.db, async (trx) => {
    const n = await trx('users').where({ id: guestId }).whereNot({ state: 'removed' }).update({ state: 'removed' });
    if (!Number(n)) throw conflict();
    const memberships = await trx('memberships').where({ user_id: guestId }).delete();
    await trx('invitations').where({ user_id: guestId, status: 'pending' }).update({ status: 'revoked' });
    await appendAudit(trx, ctx, {
      action: 'guest.removed',
      target: `user:${guestId}`,
      details: { email: guest.email, membershipsRemoved: Number(memberships), changes: { state: [guest.state, 'removed'] } },
    });
  });
}

async function itemsOfGuest(trx: Tx, guestId: number) {
  const ids = (await trx('memberships').where({ user_id: guestId }).select('item_id')).map((r) => Number(r.item_id));
  return findItemsByIds(trx, ids);
}
