/**
 * Demo OpenID Providers: one per partner organization, so the portal can be
 * exercised end to end (sign-in with "your own identity") without any real
 * identity provider. Not meant for production use: accounts and clients live
 * in memory and passwords are plain text in the spec.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryAdapterFactory } from './memoryAdapter.ts';
import { logoutSource, postLogoutSuccessSource, renderError, sendExpired, sendLoginPage, sendPage } from './idpPages.ts';
import Provider, {
  errors,
  type Configuration,
  type Interaction,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';

import type { DemoIssuerSpec } from './issuerSpec.ts';
export type { DemoAccount, DemoClient, DemoIssuerSpec } from './issuerSpec.ts';
export interface RunningIssuer { key: string; issuer: string; port: number; provider: Provider; close(): Promise<void> }

const SCOPES = 'openid email profile';
const CLAIMS = ['sub', 'email', 'email_verified', 'name'];

// Our own pages carry no script and are never framed. No `form-action`:
// Chromium applies it to the redirect chain after a POST, which would block
// the final hop back to the relying party.

/** `trailingSlash`: the issuer ends in '/' (as Auth0's do), for the tests of issuers in that form. */
export async function startDemoIssuer(spec: DemoIssuerSpec, opts: { port?: number; trailingSlash?: boolean } = {}): Promise<RunningIssuer> {
  // The issuer URL embeds the port, and oidc-provider needs the issuer at
  // construction time, so listen first and build the provider afterwards.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle) handle(req, res);
    else sendPage(res, 503, 'Starting', '<p>The identity provider is starting, try again in a moment.</p>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}${opts.trailingSlash ? '/' : ''}`;

  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      // Keep-alive connections (browsers, undici) would otherwise hold close() open.
      server.closeAllConnections();
    });

  let provider: Provider;
  try {
    provider = new Provider(issuer, buildConfiguration(spec));
  } catch (err) {
    await close();
    throw err;
  }
  const oidc = provider.callback();
  const interactions = interactionHandler(spec, provider);
  handle = (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path.startsWith('/interaction/')) {
      interactions(req, res, path).catch((err: unknown) => {
        console.error(`[demo-idp ${spec.key}] interaction failed`, err);
        if (!res.headersSent) sendPage(res, 500, 'Something went wrong', '<p>The sign-in could not be completed. Go back to the application and try again.</p>');
        else res.end();
      });
    } else {
      oidc(req, res);
    }
  };

  return { key: spec.key, issuer, port, provider, close };
}

function buildConfiguration(spec: DemoIssuerSpec): Configuration {
  const accountsBySub = new Map(spec.accounts.map((a) => [a.sub, a]));
  // All demo issuers share the host 127.0.0.1 and cookies ignore ports, so
  // unprefixed names would let one issuer overwrite another's session.
  const cookiePrefix = spec.key.replace(/[^A-Za-z0-9_-]/g, '_');

  return {
    adapter: memoryAdapterFactory(),
    // Fresh keys per start: nothing persists across restarts anyway, and it
    // avoids the shared, publicly known development keys.
    jwks: { keys: [signingKey()] },
    cookies: {
      names: {
        session: `${cookiePrefix}_session`,
        interaction: `${cookiePrefix}_interaction`,
        resume: `${cookiePrefix}_interaction_resume`,
      },
      keys: [randomBytes(32).toString('base64url')],
    },
    clients: spec.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put the scope claims into the ID token too (as most real IdPs do), so a
    // relying party can read the e-mail without a userinfo round trip.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The relying parties are server-side; no browser ever calls these endpoints cross-origin.
    clientBasedCORS: () => false,
    // Explicit TTLs (seconds) also keep oidc-provider from printing a notice for each default it uses.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 1800, Session: 8 * 3600, Grant: 8 * 3600 },
    renderError,

    findAccount(_ctx, sub) {
      const account = accountsBySub.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        claims: () => ({ sub: account.sub, email: account.email, email_verified: account.emailVerified, name: account.name }),
      };
    },

    // The demo clients are first-party, so consent is implied: hand oidc-provider
    // a grant that already covers everything they can ask for (the documented
    // way to skip the consent prompt).
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { session, client, provider } = ctx.oidc;
      if (!session?.accountId || !client) return undefined;
      const existingId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      if (existingId) {
        const existing = await provider.Grant.find(existingId);
        if (existing && existing.accountId === session.accountId && existing.clientId === client.clientId) return existing;
      }
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(SCOPES);
      grant.addOIDCClaims(CLAIMS);
      await grant.save();
      return grant;
    },
  };
}

function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

// ---------------------------------------------------------------------------
// Interaction pages (what devInteractions would otherwise provide)
// ---------------------------------------------------------------------------

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;

function interactionHandler(spec: DemoIssuerSpec, provider: Provider) {
  const accountsByEmail = new Map(spec.accounts.map((a) => [a.email.trim().toLowerCase(), a]));

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const match = INTERACTION_PATH.exec(path);
    if (!match) return sendPage(res, 404, 'Not found', '<p>This page does not exist.</p>');
    const uid = match[1]!;
    const action = match[2] as 'login' | 'abort' | undefined;
    const expectedMethod = action ? 'POST' : 'GET';
    if (req.method !== expectedMethod && !(expectedMethod === 'GET' && req.method === 'HEAD')) {
      res.setHeader('Allow', expectedMethod);
      return sendPage(res, 405, 'Method not allowed', '<p>This address does not accept that request.</p>');
    }

    const form = action ? await readForm(req) : new URLSearchParams();
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) return sendExpired(res);
      throw err;
    }
    // The interaction cookie identifies the pending request; a mismatching
    // uid means a stale tab from an earlier attempt.
    if (interaction.uid !== uid) return sendExpired(res);

    if (action === 'abort') {
      return provider.interactionFinished(
        req, res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    }

    if (interaction.prompt.name === 'consent') {
      // Only reached when a client explicitly asks for prompt=consent; the
      // demo clients are first-party, so approve what is missing.
      return finishConsent(req, res, provider, interaction);
    }
    if (interaction.prompt.name !== 'login') {
      return sendPage(res, 400, 'Unsupported request', '<p>This demo identity provider cannot handle this request.</p>');
    }

    const loginHint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
    if (action !== 'login') {
      return sendLoginPage(res, 200, spec, uid, { email: loginHint });
    }

    const email = (form.get('email') ?? '').trim();
    const account = accountsByEmail.get(email.toLowerCase());
    if (!account || !samePassword(form.get('password') ?? '', account.password)) {
      return sendLoginPage(res, 401, spec, uid, { email, error: 'The e-mail address or password is incorrect.' });
    }
    return provider.interactionFinished(
      req, res,
      { login: { accountId: account.sub, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  };
}

async function finishConsent(req: IncomingMessage, res: ServerResponse, provider: Provider, interaction: Interaction) {
  const accountId = interaction.session?.accountId;
  const clientId = String(interaction.params.client_id);
  const grant = (interaction.grantId && (await provider.Grant.find(interaction.grantId))) || new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

// Compare digests so the comparison time does not depend on where the strings differ.
function samePassword(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function readForm(req: IncomingMessage, limit = 16 * 1024): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('Form body too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
