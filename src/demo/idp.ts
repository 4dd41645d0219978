/**
 * Demo OpenID Providers: one per partner organization, so the portal can be
 * exercised end to end (sign-in with "your own identity") without any real
 * identity provider. Not meant for production use: accounts and clients live
 * in memory and passwords are plain text in the spec.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, {
  errors,
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type Interaction,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';

export interface DemoAccount { sub: string; email: string; emailVerified: boolean; name: string; password: string }
export interface DemoClient { clientId: string; clientSecret: string; redirectUris: string[] }
export interface DemoIssuerSpec { key: string; displayName: string; accounts: DemoAccount[]; clients: DemoClient[] }
export interface RunningIssuer { key: string; issuer: string; port: number; provider: Provider; close(): Promise<void> }

const SCOPES = 'openid email profile';
const CLAIMS = ['sub', 'email', 'email_verified', 'name'];

// Our own pages carry no script and are never framed. No `form-action`:
// Chromium applies it to the redirect chain after a POST, which would block
// the final hop back to the relying party.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

export async function startDemoIssuer(spec: DemoIssuerSpec, opts: { port?: number } = {}): Promise<RunningIssuer> {
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
  const issuer = `http://127.0.0.1:${port}`;

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

/**
 * A small in-memory adapter, private to one issuer. oidc-provider's built-in
 * one works too but prints a "development-only" warning for every instance.
 */
function memoryAdapterFactory(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
  };

  return (model) => {
    const keyFor = (id: string) => `${model}:${id}`;
    const get = (key: string) => {
      const entry = store.get(key);
      return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
    };
    const findWhere = (match: (payload: AdapterPayload) => boolean) => {
      for (const [key, entry] of store) {
        if (key.startsWith(`${model}:`) && entry.expiresAt > Date.now() && match(entry.payload)) return entry.payload;
      }
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        if (store.size > 1000) sweep();
        store.set(keyFor(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      async find(id) { return get(keyFor(id)); },
      async findByUid(uid) { return findWhere((p) => p.uid === uid); },
      async findByUserCode(userCode) { return findWhere((p) => p.userCode === userCode); },
      async consume(id) {
        const payload = get(keyFor(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) { store.delete(keyFor(id)); },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
      },
    };
  };
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

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #eef1f5; color: #1d2430; }
  main { width: min(24rem, 92vw); background: #fff; border-radius: 10px; padding: 2rem; box-shadow: 0 2px 12px rgba(20, 30, 50, .12); }
  .org { margin: 0; font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; color: #5a6475; }
  h1 { margin: .25rem 0 1.25rem; font-size: 1.5rem; }
  h2 { font-size: .95rem; margin: 1.75rem 0 .5rem; }
  label { display: block; font-weight: 600; margin: .9rem 0 .3rem; }
  input { box-sizing: border-box; width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid #9aa3b2; border-radius: 6px; }
  input:focus, button:focus { outline: 3px solid #7aa7ff; outline-offset: 1px; }
  .actions { display: flex; gap: .75rem; margin-top: 1.4rem; }
  button { flex: 1; padding: .65rem; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid #1f5fd1; background: #1f5fd1; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1f5fd1; }
  .error { background: #fdecea; color: #8a1c12; border: 1px solid #f1b5ae; border-radius: 6px; padding: .6rem .75rem; }
  ul { margin: 0; padding-left: 1.1rem; font-size: .9rem; color: #3b4556; }
  code { font-size: .9em; }
`;

function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = pageHtml(title, body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(html);
}

function sendExpired(res: ServerResponse): void {
  sendPage(res, 400, 'Sign-in expired',
    '<h1>Sign-in expired</h1><p>This sign-in request is no longer valid. Go back to the application and start the sign-in again.</p>');
}

function sendLoginPage(
  res: ServerResponse, status: number, spec: DemoIssuerSpec, uid: string, state: { email: string; error?: string },
): void {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const error = state.error ? `<p class="error" role="alert" id="signin-error">${escapeHtml(state.error)}</p>` : '';
  const describedBy = state.error ? ' aria-describedby="signin-error" aria-invalid="true"' : '';
  const hints = spec.accounts.slice(0, 5).map((a) => `<li><code>${escapeHtml(a.email)}</code></li>`).join('');
  const body = `
<p class="org">${escapeHtml(spec.displayName)}</p>
<h1>Sign in</h1>
${error}
<form method="post" action="${base}/login">
  <label for="email">E-mail address</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(state.email)}"${describedBy}${state.email ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}${state.email ? ' autofocus' : ''}>
  <div class="actions">
    <button type="submit">Sign in</button>
    <button type="submit" class="secondary" formaction="${base}/abort" formnovalidate>Cancel</button>
  </div>
</form>
${hints ? `<section aria-labelledby="demo-accounts"><h2 id="demo-accounts">Demo accounts</h2><ul>${hints}</ul></section>` : ''}`;
  sendPage(res, status, `Sign in · ${spec.displayName}`, body);
}

async function renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Sign-in error', `<h1>Something went wrong</h1>
<p class="error" role="alert">${escapeHtml(out.error_description ?? out.error)}</p>
<p>Go back to the application and try again.</p>`);
}

async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // `form` is oidc-provider's hidden form (id "op.logoutForm") holding the CSRF token.
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Sign out', `<h1>Sign out?</h1>
<p>Do you want to sign out of ${escapeHtml(ctx.host)}?</p>
${form}
<div class="actions">
  <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
  <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</div>`);
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Signed out', '<h1>Signed out</h1><p>You have been signed out. You can close this page.</p>');
}

function pageHtml(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
