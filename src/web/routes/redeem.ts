import { Router, type RequestHandler } from 'express';
import type { Deps } from '../../deps.ts';
import { findIdpById, findIdpForDomain, listEnabledIdps } from '../../db/identityProviders.ts';
import { findUserById } from '../../db/users.ts';
import { membershipsOf } from '../../db/memberships.ts';
import { checkInvitee, invalidInvitation, redeemInvitation, usableInvitation } from '../../commands/redeemInvitation.ts';
import { hashToken, looksLikeToken } from '../../domain/tokens.ts';
import { emailDomain } from '../../domain/principal.ts';
import { requireSignIn } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { render } from '../render.ts';

type RedeemSession = { redeemHash?: string };

export function redeemRoutes(deps: Deps, redeemLimit: RequestHandler): Router {
  const r = Router();
  const { db } = deps;

  // Mail scanners follow links: this page only looks the invitation up and remembers it in the session.
  r.get('/redeem/:token', redeemLimit, async (req, res) => {
    const token = req.params.token;
    if (!looksLikeToken(token)) throw invalidInvitation();
    const presented = hashToken(token);
    const inv = await usableInvitation(deps, presented);
    // The hash of the link that was opened: a mailed link or the one an API caller handed over.
    (req.session as RedeemSession).redeemHash = presented;
    const inviter = inv.invited_by ? await findUserById(db, inv.invited_by) : undefined;
    const idp = await findIdpForDomain(db, emailDomain(inv.email));
    res.setHeader('Referrer-Policy', 'no-referrer');
    render(req, res, 'redeem/landing', {
      title: 'redeem.title',
      invitation: inv,
      inviter: inviter?.display_name ?? '',
      idps: idp ? [idp] : (await listEnabledIdps(db)).filter((i) => i.kind !== 'home'),
    });
  });

  r.get('/redeem', requireSignIn, async (req, res) => {
    const p = principalOf(req)!;
    const inv = await usableInvitation(deps, (req.session as RedeemSession).redeemHash);
    const problem = checkInvitee(inv, p);
    if (problem) {
      return render(req, res, 'error', { title: 'errors.title', message: problem.message, params: { invited: inv.email, actual: p.email } }, problem.status);
    }
    render(req, res, 'redeem/review', {
      title: 'redeem.reviewTitle',
      invitation: inv,
      idpName: (await findIdpById(db, p.idpId))?.name ?? p.idpSlug,
      items: await membershipsOf(db, inv.user_id),
    });
  });

  r.post('/redeem', redeemLimit, csrfProtection, requireSignIn, async (req, res, next) => {
    const session = req.session as RedeemSession;
    const principal = principalOf(req)!;
    const { redirectUrl } = await redeemInvitation(deps, auditContext(req), principal, session.redeemHash);
    // The identity is now a guest with access: a fresh session id, as at sign-in, so an id anyone knew
    // before (planted, or read off a shared machine) is worth nothing now. Passport regenerates the
    // session; only the sign-in time is carried over, so the absolute lifetime still counts from the
    // sign-in (the redemption hash is spent, and the CSRF token is made anew with the next page).
    const signedInAt = req.session.signedInAt;
    req.logIn(principal, (err) => {
      if (err) return next(err);
      if (typeof signedInAt === 'number') req.session.signedInAt = signedInAt;
      // The redirect was checked when the invitation was made: an app's launch URL from the catalog.
      req.session.save(() => res.redirect(303, redirectUrl ?? '/access?welcome=1'));
    });
  });

  return r;
}
