// The pages of an application's sign-in through Passerelle (oidc-provider's interactions): sign in
// here first if need be, the refusal when the person may not use the app, and consent. Each finished
// step answers a page that moves on by itself (Refresh, and a link): a redirect chain that began with
// a form would be held to the form page's CSP form-action, and the last hop is the app's origin.
import { Router, type Request, type Response } from 'express';
import { errors, type InteractionResults } from 'oidc-provider';
import type { Deps } from '../../deps.ts';
import type { OidcMount } from '../../oidc/mount.ts';
import { INTERACTION_PATH } from '../../oidc/provider.ts';
import { appAccessNow } from '../../oidc/account.ts';
import { findAppClient, itemOfClient } from '../../db/appClients.ts';
import { authenticationMethods, releasedClaims } from '../../domain/appAccess.ts';
import { notFound } from '../../domain/errors.ts';
import { declineConsent, giveConsent } from '../../commands/appSignIn.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { render } from '../render.ts';
import { homePage } from './auth.ts';

const UID = /^[A-Za-z0-9_-]{1,64}$/;

export function appSignInRoutes(deps: Deps, oidc: OidcMount): Router {
  const r = Router();
  const { db } = deps;

  /** The pending interaction of this browser, or the "start again from the app" page. */
  async function pending(req: Request, res: Response) {
    const provider = await oidc.provider();
    try {
      const details = await provider.interactionDetails(req, res);
      if (!UID.test(String(req.params.uid)) || details.uid !== req.params.uid) return null;
      const clientId = String(details.params.client_id);
      const [item, client] = await Promise.all([itemOfClient(db, clientId), findAppClient(db, clientId)]);
      if (!item || !client) return null;
      return { provider, details, item, client };
    } catch (err) {
      if (err instanceof errors.SessionNotFound) return null;
      throw err;
    }
  }

  const expired = (req: Request, res: Response) =>
    render(req, res, 'error', { title: 'errors.title', message: 'appSignIn.expired' }, 400);

  /** Saves the step's result and answers the page that goes on to oidc-provider. */
  async function finish(req: Request, res: Response, step: NonNullable<Awaited<ReturnType<typeof pending>>>, result: InteractionResults) {
    const next = await step.provider.interactionResult(req, res, result, { mergeWithLastSubmission: true });
    res.setHeader('Refresh', `0;url=${next}`);
    render(req, res, 'appSignIn/continue', { title: 'appSignIn.continuingTitle', titleParams: { name: step.item.name }, appName: step.item.name, next });
  }

  r.get(`${INTERACTION_PATH}/:uid`, async (req, res) => {
    const step = await pending(req, res);
    if (!step) return expired(req, res);
    const { details, item, client } = step;
    const p = principalOf(req);
    const ctx = auditContext(req);

    if (details.prompt.name === 'login') {
      // prompt=login or max_age: the app wants a sign-in newer than its request, not the session's.
      const fresh = ['login_prompt', 'max_age'].some((r) => details.prompt.reasons.includes(r));
      const signedInAt = (req.session as { signedInAt?: number }).signedInAt ?? 0;
      if (!p || (fresh && signedInAt < (details.iat ?? 0) * 1000)) {
        if (p) await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
        (req.session as { returnTo?: string }).returnTo = req.originalUrl;
        const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint.slice(0, 320) : '';
        return homePage(deps, req, res, { notice: { key: 'appSignIn.signInTo', params: { name: item.name } }, values: { email: hint } });
      }
      if (!p.userId) {
        // Signed in, but nobody Passerelle knows yet (a partner without access): nothing to give the app.
        await recordRefusal(db, ctx, 'app.sign_in', `item:${item.id}`, 'not a user of Passerelle');
        return noAccess(req, res, item);
      }
      return finish(req, res, step, { login: { accountId: String(p.userId), ...authenticationMethods(p.idpKind), remember: true } });
    }

    if (details.prompt.name === 'access') {
      const access = await appAccessNow(db, Number(details.session?.accountId), client.client_id);
      await recordRefusal(db, ctx, 'app.sign_in', `item:${item.id}`, access.allowed ? 'refused' : access.reason);
      return noAccess(req, res, item);
    }

    if (details.prompt.name === 'consent') {
      const scopes = String(details.params.scope ?? 'openid').split(' ');
      return render(req, res, 'appSignIn/consent', {
        title: 'appSignIn.consentTitle',
        titleParams: { name: item.name },
        item,
        uid: details.uid,
        claims: releasedClaims(scopes, client.claims),
        refresh: scopes.includes('offline_access'),
      });
    }
    throw notFound();
  });

  r.post(`${INTERACTION_PATH}/:uid/consent`, csrfProtection, async (req, res) => {
    const step = await pending(req, res);
    if (!step || step.details.prompt.name !== 'consent') return expired(req, res);
    const { details, item, client, provider } = step;
    const p = principalOf(req);
    const accountId = details.session?.accountId;
    // The person deciding must be the one signing in (a shared machine, another tab's sign-in).
    if (!p?.userId || String(p.userId) !== accountId) return expired(req, res);
    const app = { itemId: item.id, clientId: client.client_id };
    if (req.body?.decision !== 'allow') {
      await declineConsent(deps, auditContext(req), p.userId, app);
      return finish(req, res, step, { error: 'access_denied', error_description: 'The person declined to share their details with the application.' });
    }
    const scope = String(details.params.scope ?? 'openid');
    await giveConsent(deps, auditContext(req), p.userId, app, releasedClaims(scope.split(' '), client.claims));
    const grant = (details.grantId && (await provider.Grant.find(details.grantId))) || new provider.Grant({ accountId, clientId: client.client_id });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    return finish(req, res, step, { consent: { grantId } });
  });

  return r;
}

function noAccess(req: Request, res: Response, item: { id: number; name: string }) {
  const p = principalOf(req);
  render(req, res, 'appSignIn/noAccess', {
    title: 'appSignIn.noAccessTitle',
    titleParams: { name: item.name },
    item,
    // Members of our organization do not request access through the partner form.
    canRequest: Boolean(p && p.idpKind !== 'home'),
  }, 403);
}
