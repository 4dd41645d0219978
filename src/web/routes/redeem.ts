import { Router, type Request, type RequestHandler, type Response } from 'express';
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
import { clientsOfItems, listAppClients } from '../../db/appClients.ts';
import { appLaunchUrl } from '../../domain/appAccess.ts';
import { OIDC_PATH } from '../../oidc/provider.ts';

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
    const items = await membershipsOf(db, inv.user_id);
    const clients = await clientsOfItems(db, items.filter((i) => i.kind === 'app').map((i) => i.id));
    render(req, res, 'redeem/review', {
      title: 'redeem.reviewTitle',
      invitation: inv,
      idpName: (await findIdpById(db, p.idpId))?.name ?? p.idpSlug,
      items,
      // What each application that signs in through Passerelle will receive, consented to here.
      receives: Object.fromEntries(clients.map((c) => [c.item_id, c.claims])),
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
      req.session.save(() => void landAfterRedemption(deps, req, res, redirectUrl).catch(next));
    });
  });

  return r;
}

/**
 * Where a guest lands once redeemed: My access, or the invitation's redirect, checked when the
 * invitation was made (this portal or a catalog app's origin). An app that signs in through
 * Passerelle is entered through its own sign-in, which completes at once (the guest is signed in
 * and consented on the review page). Off-site, the answer is a page that moves on by itself: a
 * redirect after this form would be held to its CSP form-action.
 */
async function landAfterRedemption(deps: Deps, req: Request, res: Response, redirectUrl: string | null): Promise<void> {
  if (!redirectUrl) return res.redirect(303, '/access?welcome=1');
  const target = new URL(redirectUrl);
  if (target.origin === new URL(deps.config.publicUrl).origin) return res.redirect(303, target.pathname + target.search);
  const apps = await listAppClients(deps.db);
  const app = apps.find((a) => a.launch_url && new URL(a.launch_url).origin === target.origin);
  const next = app ? (appLaunchUrl(app.launch_url, app.client, `${deps.config.publicUrl}${OIDC_PATH}`, redirectUrl) ?? redirectUrl) : redirectUrl;
  res.setHeader('Refresh', `0;url=${next}`);
  render(req, res, 'appSignIn/continue', { title: 'appSignIn.continuingTitle', titleParams: { name: app?.name ?? target.host }, appName: app?.name ?? target.host, next });
}
