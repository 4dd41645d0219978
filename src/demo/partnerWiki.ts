// Partner Wiki, the demo's sample application: a relying party that signs people in through
// Passerelle with openid-client, as any team's app would (discovery, PKCE, state and nonce, the code
// exchange, userinfo), shows what Passerelle told it, signs out through Passerelle's end-session
// endpoint and drops a person's sessions when Passerelle posts a back-channel logout token. It runs
// in a process of its own (`passerelle partner-wiki`), so nothing of Passerelle's is in reach: only
// what goes over HTTP. Its sessions live in this process's memory; a restart signs everyone out.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { logoutTokenChecker, type LogoutTokenChecker } from './logoutToken.ts';
import { errorHtml, send, signedInHtml, signedOutHtml } from './partnerWikiPages.ts';

export interface PartnerWikiOptions {
  /** Passerelle's issuer, `<PUBLIC_URL>/oidc`. */
  issuer: string;
  clientId: string;
  /** null for a public client (PKCE alone). */
  clientSecret: string | null;
  /** Where browsers reach the wiki: its registered URIs are made from it. */
  url: string;
  port: number;
  host?: string;
  log?: (line: string) => void;
}

export interface RunningPartnerWiki {
  url: string;
  port: number;
  /** Passerelle answered discovery (the wiki retries until it does). */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Session {
  id: string;
  csrf: string;
  touchedAt: number;
  pending?: { verifier: string; state: string; nonce: string; target: string };
  user?: { claims: Record<string, unknown>; idToken: string; sub: string; sid?: string };
}

const COOKIE = 'partnerwiki.sid';
const IDLE_MS = 8 * 3600_000;
const DISCOVERY_RETRY_MS = 500;
/** How long a page waits for Passerelle's discovery before saying it is not answering. */
const DISCOVERY_WAIT_MS = 20_000;
const MAX_BODY = 16_384;

const newId = () => randomBytes(32).toString('base64url');

export async function startPartnerWiki(o: PartnerWikiOptions): Promise<RunningPartnerWiki> {
  const base = o.url.replace(/\/+$/, '');
  const log = o.log ?? (() => undefined);
  const passerelleOrigin = new URL(o.issuer).origin;
  const sessions = new Map<string, Session>();
  let closed = false;

  // Passerelle's web process may start after this one: discovery is retried until it answers.
  let op: { config: oidc.Configuration; logoutTokens: LogoutTokenChecker } | undefined;
  const ready = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        const config = await oidc.discovery(
          new URL(o.issuer),
          o.clientId,
          undefined,
          o.clientSecret ? oidc.ClientSecretBasic(o.clientSecret) : oidc.None(),
          new URL(o.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
        );
        const meta = config.serverMetadata();
        op = {
          config,
          logoutTokens: logoutTokenChecker({ issuer: meta.issuer, jwksUri: meta.jwks_uri!, clientId: o.clientId, algorithms: meta.id_token_signing_alg_values_supported }),
        };
        return;
      } catch (err) {
        if (attempt === 20) log(`Partner Wiki is still waiting for Passerelle at ${o.issuer} (${(err as Error).message})`);
        await new Promise((resolve) => setTimeout(resolve, DISCOVERY_RETRY_MS));
      }
    }
  })();

  async function provider() {
    if (op) return op;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise((resolve) => (timer = setTimeout(resolve, DISCOVERY_WAIT_MS)))]);
    clearTimeout(timer);
    return op;
  }

  const page = (res: ServerResponse, status: number, p: { title: string; body: string; header?: string }) =>
    send(res, passerelleOrigin, status, p.title, p.body, p.header);
  const failed = (res: ServerResponse, status: number, title: string, message: string, code?: string) => page(res, status, errorHtml(title, message, code));
  const notAnswering = (res: ServerResponse) =>
    failed(res, 503, 'Passerelle is not answering yet', 'Partner Wiki signs you in through Passerelle, which has not answered yet. Wait a moment and try again.');

  function sessionOf(req: IncomingMessage): Session | undefined {
    const id = /(?:^|;\s*)partnerwiki\.sid=([A-Za-z0-9_-]{43})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1];
    const s = id ? sessions.get(id) : undefined;
    if (!s) return undefined;
    if (Date.now() - s.touchedAt > IDLE_MS) {
      sessions.delete(s.id);
      return undefined;
    }
    s.touchedAt = Date.now();
    return s;
  }

  function newSession(res: ServerResponse): Session {
    const s: Session = { id: newId(), csrf: newId(), touchedAt: Date.now() };
    sessions.set(s.id, s);
    const secure = base.startsWith('https:') ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Lax${secure}`);
    return s;
  }

  const redirect = (res: ServerResponse, to: string) => {
    res.writeHead(303, { Location: to, 'Cache-Control': 'no-store' }).end();
  };

  /** Where a third-party-initiated sign-in may land: a page of this wiki, never anywhere else. */
  function landingOf(target: string | null): string {
    if (!target || !URL.canParse(target)) return '/';
    const u = new URL(target);
    return u.origin === new URL(base).origin ? `${u.pathname}${u.search}` : '/';
  }

  async function login(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    // OpenID Connect third-party-initiated login (My access's tiles): `iss` must be our issuer.
    const iss = query.get('iss');
    if (iss !== null && iss !== o.issuer) return failed(res, 400, 'Unknown sign-in service', 'Partner Wiki signs people in through Passerelle only.');
    const current = await provider();
    if (!current) return notAnswering(res);
    const s = sessionOf(req) ?? newSession(res);
    const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), target: landingOf(query.get('target_link_uri')) };
    s.pending = pending;
    const hint = query.get('login_hint');
    const url = oidc.buildAuthorizationUrl(current.config, {
      redirect_uri: `${base}/callback`,
      scope: 'openid email profile groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(hint ? { login_hint: hint.slice(0, 320) } : {}),
    });
    redirect(res, url.href);
  }

  async function callback(req: IncomingMessage, res: ServerResponse) {
    const s = sessionOf(req);
    const pending = s?.pending;
    if (!s || !pending) return failed(res, 400, 'This sign-in has expired', 'It was started in another browser, or Partner Wiki restarted since. Start again.');
    const current = await provider();
    if (!current) return notAnswering(res);
    s.pending = undefined;
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(current.config, new URL(req.url!, base), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError) {
        const message = err.error === 'access_denied'
          ? 'Passerelle did not sign you in to Partner Wiki.' + (err.error_description ? ` ${err.error_description}` : '')
          : err.error_description ?? 'Passerelle refused the sign-in.';
        return failed(res, 403, 'You are not signed in', message, err.error);
      }
      log(`Partner Wiki: the sign-in could not be completed: ${(err as Error).message}`);
      return failed(res, 400, 'The sign-in could not be completed', 'Partner Wiki could not confirm the answer Passerelle sent. Start again.', (err as { code?: string }).code);
    }
    const idClaims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(current.config, tokens.access_token, idClaims.sub);
    // A new session id once signed in, so an id set before sign-in (session fixation) is worth nothing.
    sessions.delete(s.id);
    const signedIn = newSession(res);
    signedIn.user = {
      claims: { ...idClaims, ...userinfo },
      idToken: tokens.id_token!,
      sub: idClaims.sub,
      sid: typeof idClaims.sid === 'string' ? idClaims.sid : undefined,
    };
    redirect(res, pending.target);
  }

  async function logout(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await bodyOf(req));
    const s = sessionOf(req);
    if (!s?.user) return redirect(res, '/');
    if (!sameSecret(form.get('csrf') ?? '', s.csrf)) return failed(res, 403, 'Sign-out not confirmed', 'This sign-out form is out of date. Reload the page and try again.');
    sessions.delete(s.id);
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    const current = await provider();
    if (!current) return redirect(res, '/');
    // RP-initiated logout: Passerelle asks whether to end its own session too, then comes back here.
    redirect(res, oidc.buildEndSessionUrl(current.config, { id_token_hint: s.user.idToken, post_logout_redirect_uri: `${base}/` }).href);
  }

  async function backchannelLogout(req: IncomingMessage, res: ServerResponse) {
    const answer = (status: number, body?: object) => {
      res.writeHead(status, { 'Cache-Control': 'no-store', ...(body ? { 'Content-Type': 'application/json' } : {}) });
      res.end(body ? JSON.stringify(body) : undefined);
    };
    const token = new URLSearchParams(await bodyOf(req)).get('logout_token');
    const current = await provider();
    if (!current) return answer(503, { error: 'temporarily_unavailable' });
    if (!token) return answer(400, { error: 'invalid_request', error_description: 'logout_token is missing' });
    let who;
    try {
      who = await current.logoutTokens.check(token);
    } catch (err) {
      log(`Partner Wiki refused a logout token: ${(err as Error).message}`);
      return answer(400, { error: 'invalid_request', error_description: 'the logout token is not valid' });
    }
    let ended = 0;
    for (const s of sessions.values()) {
      if (s.user && ((who.sub && s.user.sub === who.sub) || (who.sid && s.user.sid === who.sid))) {
        sessions.delete(s.id);
        ended += 1;
      }
    }
    log(`Partner Wiki: Passerelle ended ${ended} session(s) by back-channel logout`);
    answer(200);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const routes: Record<string, [string, () => Promise<void> | void]> = {
      '/': ['GET', () => {
        const s = sessionOf(req);
        if (!s?.user) return page(res, 200, signedOutHtml());
        page(res, 200, signedInHtml(s.user, s.csrf));
      }],
      '/login': ['GET', () => login(req, res, url.searchParams)],
      '/callback': ['GET', () => callback(req, res)],
      '/logout': ['POST', () => logout(req, res)],
      '/backchannel-logout': ['POST', () => backchannelLogout(req, res)],
    };
    const match = routes[url.pathname];
    if (!match) return failed(res, 404, 'Page not found', 'Partner Wiki has no page at this address.');
    const [allowed, handle] = match;
    if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
      res.setHeader('Allow', allowed);
      return failed(res, 405, 'Not allowed', 'This page does not answer that kind of request.');
    }
    await handle();
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      log(`Partner Wiki: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) failed(res, 500, 'Something went wrong', 'Partner Wiki could not show this page. Try again.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: base,
    port,
    ready,
    async close() {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ready;
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A small form body; more than a form needs is refused rather than buffered. */
function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
