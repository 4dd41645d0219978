// Passerelle as the OpenID Provider of the catalog's applications: node-oidc-provider, configured
// here, does the protocol; Passerelle supplies its storage (adapter.ts), its keys (keys.ts), who the
// person is and what the app may learn of them (account.ts), and the rule for who may sign in
// (domain/appAccess.ts, asked in the authorization request's policy and again by findAccount for
// every code, refresh and userinfo request).
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Deps } from '../deps.ts';
import { knexAdapter } from './adapter.ts';
import { loadSigningKeys } from './keys.ts';
import { appAccessNow, findAccountFor } from './account.ts';
import { itemOfClient } from '../db/appClients.ts';
import { appClient } from './perRequest.ts';
import { findConsent } from '../db/appConsents.ts';
import { ACR, releasedClaims, SCOPE_CLAIMS } from '../domain/appAccess.ts';
import { deriveKey, keyedDigest } from '../domain/secretBox.ts';
import type { Principal } from '../domain/principal.ts';
import { recordAppSignIn } from '../commands/appSignIn.ts';
import { idpFetch } from '../auth/guardedFetch.ts';
import { signOut } from '../commands/signOut.ts';
import { auditContext, principalOf } from '../web/middleware/requestContext.ts';

export const OIDC_PATH = '/oidc';

/** The provider's paths (below OIDC_PATH) that a person's browser visits: they need Passerelle's session. */
export const needsPasserelleSession = (path: string): boolean => /^\/(auth|session\/end)(\/|$)/.test(path);
export const INTERACTION_PATH = '/app-sign-in';

/** oidc-provider's lifetimes (seconds). ID tokens bound SIGNED_TOKEN_LIFETIME_S in keys.ts. */
const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  Interaction: 1800,
  Grant: 14 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
  Session: 12 * 3600,
};

const { Prompt, Check, base } = interactionPolicy;

/** The Passerelle principal of the request oidc-provider is answering (its session is Passerelle's). */
export const principalIn = (ctx: KoaContextWithOIDC): Principal | undefined => principalOf(ctx.req as unknown as Request);

/**
 * The authorization request's interactions: sign-in (also when the Passerelle session is someone
 * else's, or has ended, while oidc-provider's own session still names a person), access (the rule of
 * domain/appAccess.ts), then consent.
 */
function policy(deps: Deps) {
  const prompts = base();
  prompts.get('login')!.checks.add(
    new Check('passerelle_session', "Passerelle's session does not name this person", (ctx) => {
      const p = principalIn(ctx);
      return !p?.userId || String(p.userId) !== ctx.oidc.session?.accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  prompts.add(
    new Prompt(
      { name: 'access', requestable: false },
      new Check('no_access', 'this person may not sign in to this application', 'access_denied', async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId || !ctx.oidc.client) return Check.NO_NEED_TO_PROMPT; // login comes first
        const access = await appAccessNow(deps.db, Number(accountId), ctx.oidc.client.clientId);
        return access.allowed ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      }),
    ),
    1,
  );
  return prompts;
}

function configuration(deps: Deps, log: Logger, keys: Configuration['jwks']): Configuration {
  const { db, config } = deps;
  const pairwiseKey = deriveKey(config.oidc.secretKey, 'pairwise-subject');
  const cookieKey = deriveKey(config.sessionSecret, 'oidc-cookies').toString('base64url');
  return {
    adapter: knexAdapter(db, config),
    jwks: keys,
    cookies: {
      names: { session: 'passerelle.op', interaction: 'passerelle.op.interaction', resume: 'passerelle.op.resume' },
      keys: [cookieKey],
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
    },
    // acr and amr come from the sign-in (the session), not the account; openid releases them.
    claims: { ...SCOPE_CLAIMS, openid: ['sub', 'acr', 'amr'] },
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    subjectTypes: ['pairwise'],
    // Per app, not per host: two apps on one host must not be able to match their users.
    pairwiseIdentifier: async (_ctx, accountId, client) => keyedDigest(pairwiseKey, accountId, client.clientId),
    acrValues: [ACR.federated, ACR.emailCode],
    // The claims an app's scopes release go into the ID token too, so an app need not call userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: signedOutPage },
    },
    // oidc-provider requires PKCE of public clients; a confidential one may use it (ours do).
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`, policy: policy(deps) },
    findAccount: (ctx, sub, token) => findAccountFor(deps, log, ctx, sub, token),
    loadExistingGrant: (ctx) => rememberedGrant(deps, ctx),
    // Refresh tokens for every app; without offline_access they end with the person's session here.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: TTL,
    clientBasedCORS: () => false,
    // Back-channel logout POSTs go out under the operator's network policy (IDP_PRIVATE_NETWORKS and
    // IDP_ALLOWED_INTERNAL_HOSTS), not oidc-provider's, which refuses every private address outright.
    fetch: (url, init) => idpFetch(config.idpNetwork)(url as string | URL, init),
    renderError: async (ctx, out) => {
      const error = typeof out.error === 'string' ? out.error : 'server_error';
      await renderPage(ctx, 'oidc/error', { title: 'appSignIn.errorTitle', error }, ctx.status >= 400 ? ctx.status : 400);
    },
  };
}

/**
 * Consent is remembered per app (app_consents), not per session: with it on record, a grant covering
 * what was asked is made or extended; without it, none is, and the consent prompt asks.
 */
async function rememberedGrant(deps: Deps, ctx: KoaContextWithOIDC) {
  const { session, client, provider } = ctx.oidc;
  if (!session?.accountId || !client) return undefined;
  const app = await appClient(deps.db, client.clientId, ctx);
  const consent = app && (await findConsent(deps.db, Number(session.accountId), app.item_id));
  if (!app || !consent) return undefined;
  const asked = String(ctx.oidc.params?.scope ?? 'openid').split(' ').filter(Boolean);
  // An app asking for more than was consented to asks the person again.
  if (releasedClaims(asked, app.claims).some((c) => !consent.claims.includes(c))) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== session.accountId || grant.clientId !== client.clientId)) grant = undefined;
  grant ??= new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  const held = new Set((grant.getOIDCScope() ?? '').split(' '));
  if (!grant.jti || asked.some((s) => !held.has(s))) {
    grant.addOIDCScope(asked.join(' '));
    await grant.save();
  }
  return grant;
}

/** Renders one of Passerelle's views into oidc-provider's response (its pages look like ours). */
export async function renderPage(ctx: KoaContextWithOIDC, view: string, locals: Record<string, unknown>, status = 200): Promise<void> {
  const req = ctx.req as unknown as Request;
  const res = ctx.res as unknown as Response;
  const html = await new Promise<string>((resolve, reject) =>
    res.render(view, { principal: principalOf(req), path: req.path, csrfToken: '', fields: {}, values: {}, notice: null, ...locals }, (err, out) =>
      err ? reject(err) : resolve(out),
    ),
  );
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

/**
 * The sign-out confirmation. oidc-provider hands over its form as HTML; the page rebuilds it from its
 * two values (where it posts, and its anti-forgery secret), escaped like any other output.
 */
async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const clientId = ctx.oidc.client?.clientId;
  const appName = clientId ? (await itemOfClient(dbOf(ctx), clientId))?.name : undefined;
  const action = /\baction="([^"]*)"/.exec(form)?.[1] ?? ctx.oidc.urlFor('end_session_confirm');
  const xsrf = /\bname="xsrf" value="([^"]*)"/.exec(form)?.[1];
  if (!xsrf) throw new Error('oidc-provider changed its sign-out form: no xsrf field found');
  await renderPage(ctx, 'oidc/logout', { title: 'appSignIn.logoutTitle', action, xsrf, appName });
}

async function signedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  await renderPage(ctx, 'oidc/signedOut', { title: 'appSignIn.signedOutTitle' });
}

// logoutSource and postLogoutSuccessSource get no Deps: the database reaches them on the provider.
const dbOf = (ctx: KoaContextWithOIDC) => (ctx.oidc.provider as Provider & { passerelleDb: Deps['db'] }).passerelleDb;

/** Builds the provider with the signing keys the database holds now. */
export async function buildProvider(deps: Deps, log: Logger): Promise<Provider> {
  const keys = await loadSigningKeys(deps.db, deps.config);
  const provider = new Provider(`${deps.config.publicUrl}${OIDC_PATH}`, configuration(deps, log, { keys }));
  (provider as Provider & { passerelleDb: Deps['db'] }).passerelleDb = deps.db;
  provider.proxy = deps.config.trustProxy !== false;
  provider.use(auditedOutcomes(deps, log));
  return provider;
}

/**
 * Puts on record what oidc-provider did, before its answer leaves: a code issued to an app (a
 * sign-in), and a sign-out asked by an app (which also ends the person's Passerelle session).
 */
function auditedOutcomes(deps: Deps, log: Logger) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const route = ctx.oidc?.route;
    if ((route === 'authorization' || route === 'resume') && ctx.status === 303) {
      const location = ctx.response.get('location');
      const clientId = ctx.oidc.client?.clientId;
      if (!clientId || !/[?&#]code=/.test(location)) return;
      // The client this request already read (app_clients.item_id is the app's catalog item).
      const client = await appClient(deps.db, clientId, ctx);
      if (!client) return;
      const p = principalIn(ctx);
      await recordAppSignIn(deps, auditContext(ctx.req as unknown as Request), { itemId: client.item_id, clientId }, {
        userId: Number(ctx.oidc.session?.accountId),
        idp: p?.issuer ?? null,
        scope: ctx.oidc.params?.scope ?? null,
      });
    }
    if (route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc.params?.logout) {
      const req = ctx.req as unknown as Request;
      if (!principalOf(req)) return;
      // oidc-provider ends its own session itself when someone else signed in to Passerelle since
      // (its resume's account switch), then goes back to the authorization: no app asked for that, and
      // the person now signed in stays signed in.
      if (ctx.response.get('location').startsWith(`${ctx.oidc.urlFor('authorization')}/`)) return;
      await signOut(deps, auditContext(req));
      await new Promise<void>((resolve) => req.logout(() => req.session.destroy(() => resolve())));
      (ctx.res as unknown as Response).clearCookie(deps.config.secureCookies ? '__Host-passerelle' : 'passerelle.sid', { path: '/' });
      log.debug({ reqId: req.id }, 'signed out at an application’s request');
    }
  };
}
