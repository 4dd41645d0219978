import type { Deps } from '../deps.ts';
import { clientsOfItems } from '../db/appClients.ts';
import { saveConsent } from '../db/appConsents.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { consumeInvitation, findUsableInvitation } from '../db/invitations.ts';
import { bindIdentity, findUserByIdentity, touchSignIn } from '../db/users.ts';
import { changeGuestState } from '../db/guests.ts';
import { membershipsOf } from '../db/memberships.ts';
import type { Invitation } from '../db/rows.ts';
import { AppError, conflict, forbidden } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { recordRefusal } from './recordRefusal.ts';

export const invalidInvitation = () => new AppError(404, 'invalid_invitation', 'redeem.invalid');

/** The invitation behind a token hash, if it can still be redeemed; GET pages use this and consume nothing. */
export async function usableInvitation(deps: Deps, tokenHash: string | undefined): Promise<Invitation> {
  const inv = tokenHash ? await findUsableInvitation(deps.db, tokenHash) : undefined;
  if (!inv) throw invalidInvitation();
  return inv;
}

/** The signed-in identity must be the invited one: verified e-mail, same address. */
export function checkInvitee(inv: Invitation, p: Principal): AppError | null {
  if (!p.emailVerified) return new AppError(403, 'email_unverified', 'redeem.unverified');
  if (p.email.toLowerCase() !== inv.email.toLowerCase()) return new AppError(403, 'email_mismatch', 'redeem.wrongEmail');
  return null;
}

/**
 * Consumes the token once (a conditional update: of twenty parallel posts, one wins), records the
 * consent, binds (issuer, subject) to the guest and activates them.
 */
export async function redeemInvitation(
  deps: Deps,
  ctx: AuditContext,
  p: Principal,
  tokenHash: string | undefined,
): Promise<{ userId: number; redirectUrl: string | null }> {
  const inv = await usableInvitation(deps, tokenHash);
  const mismatch = checkInvitee(inv, p);
  if (mismatch) {
    await recordRefusal(deps.db, ctx, 'invitation.redeem', `invitation:${inv.id}`, mismatch.code);
    throw mismatch;
  }
  return inTransaction(deps.db, async (trx) => {
    const bound = await findUserByIdentity(trx, p.issuer, p.subject);
    if (bound && bound.id !== inv.user_id) throw conflict('redeem.alreadyBound');
    if (!(await consumeInvitation(trx, inv.id, p))) throw invalidInvitation();
    if (!bound) await bindIdentity(trx, inv.user_id, { issuer: p.issuer, subject: p.subject, identityProviderId: p.idpId });
    // She signed in to redeem, before the identity was hers: that sign-in is her first as the guest.
    await touchSignIn(trx, inv.user_id, p.name);
    // Conditional: a guest disabled or removed since the invitation was sent stays so.
    if (!(await changeGuestState(trx, inv.user_id, ['invited', 'active'], 'active'))) throw forbidden();
    const items = await membershipsOf(trx, inv.user_id);
    await appendAudit(trx, ctx, {
      action: 'invitation.redeemed',
      target: `invitation:${inv.id}`,
      details: { user: inv.user_id, idp: p.idpSlug, consentedTo: items.map((i) => i.name) },
    });
    // The request it answers shows that the partner has taken the access up.
    if (inv.request_id) await appendAudit(trx, ctx, { action: 'request.accepted', target: `request:${inv.request_id}`, details: { invitation: inv.id } });
    // The review page showed what each application signing in through Passerelle receives (as
    // Entra's "review permissions" does at redemption): accepting it is the consent those apps need.
    for (const client of await clientsOfItems(trx, items.filter((i) => i.kind === 'app').map((i) => i.id))) {
      await saveConsent(trx, inv.user_id, client.item_id, client.claims);
      await appendAudit(trx, ctx, {
        action: 'app.consent_given',
        target: `item:${client.item_id}`,
        details: { clientId: client.client_id, userId: inv.user_id, claims: client.claims, at: 'redemption' },
      });
    }
    return { userId: inv.user_id, redirectUrl: inv.redirect_url };
  });
}
