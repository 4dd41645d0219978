import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import * as oidc from 'openid-client';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { startMailCatcher, type MailCatcher } from '../../src/demo/mailCatcher.ts';
import { isRedisReachable, startRedisServer, type RedisServer } from '../../src/demo/redisServer.ts';
import { describeChildExit } from '../../src/demo/childExit.ts';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Just enough of a browser: a name → value jar (paths ignored) and manual redirects. */
class Browser {
  private readonly jar = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until a response is not a redirect or points at `stopAt`. */
  async follow(res: Response, from: string, stopAt: string): Promise<{ res: Response; url: string }> {
    let url = from;
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      url = new URL(res.headers.get('location')!, url).href;
      if (url.startsWith(stopAt)) return { res, url };
      await res.body?.cancel();
      res = await this.request(url);
    }
    return { res, url };
  }

  cookieNames(): string[] {
    return [...this.jar.keys()];
  }
}

test('demo issuer: discovery, sign-in with PKCE, userinfo', async () => {
  const redirectUri = 'http://127.0.0.1:9/callback'; // never contacted: we stop at the redirect
  const idp: RunningIssuer = await startDemoIssuer({
    key: 'acme',
    displayName: 'Acme <Partners> & Co',
    accounts: [{ sub: 'acme-alice', email: 'Alice@Acme.example', emailVerified: true, name: 'Alice Martin', password: 'wonderland' }],
    clients: [{ clientId: 'passerelle', clientSecret: 'portal-secret', redirectUris: [redirectUri] }],
  });
  cleanups.push(() => idp.close());
  assert.equal(idp.issuer, `http://127.0.0.1:${idp.port}`);

  const config = await oidc.discovery(new URL(idp.issuer), 'passerelle', 'portal-secret', undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  assert.equal(config.serverMetadata().issuer, idp.issuer);
  assert.equal(config.serverMetadata().supportsPKCE(), true);

  // Without PKCE the provider refuses outright.
  const noPkce = await fetch(oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: 'x' }), { redirect: 'manual' });
  assert.equal(noPkce.status, 303);
  assert.match(noPkce.headers.get('location')!, /error=invalid_request/);

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });

  const browser = new Browser();
  let { res, url } = await browser.follow(await browser.request(authUrl.href), authUrl.href, redirectUri);
  assert.equal(res.status, 200);
  assert.match(url, /\/interaction\/[\w-]+$/);
  assert.ok(browser.cookieNames().every((name) => name.startsWith('acme_')), browser.cookieNames().join());
  const page = await res.text();
  assert.match(page, /<title>Sign in · Acme &#60;Partners&#62; &#38; Co<\/title>/);
  assert.match(page, /<label for="email">/);
  assert.match(page, /<label for="password">/);
  assert.match(page, /Alice@Acme\.example/);
  assert.doesNotMatch(page, /<script/i);
  assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  assert.equal(action, `${new URL(url).pathname}/login`);
  const loginUrl = new URL(action!, url).href;

  const wrong = await browser.request(loginUrl, { form: { email: 'alice@acme.example', password: 'nope' } });
  assert.equal(wrong.status, 401);
  const wrongPage = await wrong.text();
  assert.match(wrongPage, /role="alert"[^>]*>The e-mail address or password is incorrect\./);
  assert.match(wrongPage, /value="alice@acme\.example"/);

  // E-mail matching is case-insensitive.
  const ok = await browser.request(loginUrl, { form: { email: 'ALICE@acme.example', password: 'wonderland' } });
  assert.equal(ok.status, 303);
  ({ res, url } = await browser.follow(ok, loginUrl, redirectUri));
  assert.ok(url.startsWith(redirectUri), `ended at ${url} (${res.status})`);
  const callback = new URL(url);
  assert.ok(callback.searchParams.get('code'));

  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, 'acme-alice');
  assert.equal(claims.email, 'Alice@Acme.example'); // conformIdTokenClaims: false puts scope claims in the ID token

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'acme-alice');
  assert.equal(userinfo.email, 'Alice@Acme.example');
  assert.equal(userinfo.email_verified, true);
  assert.equal(userinfo.name, 'Alice Martin');
});

test('demo issuer: cancel returns access_denied to the client', async () => {
  const redirectUri = 'http://127.0.0.1:9/cb';
  const idp = await startDemoIssuer({
    key: 'globex',
    displayName: 'Globex',
    accounts: [{ sub: 'g1', email: 'bob@globex.example', emailVerified: false, name: 'Bob', password: 'pw' }],
    clients: [{ clientId: 'portal', clientSecret: 'secret', redirectUris: [redirectUri] }],
  });
  cleanups.push(() => idp.close());
  const config = await oidc.discovery(new URL(idp.issuer), 'portal', 'secret', undefined, { execute: [oidc.allowInsecureRequests] });
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'st',
  });
  const browser = new Browser();
  const { url } = await browser.follow(await browser.request(authUrl.href), authUrl.href, redirectUri);
  const cancel = await browser.request(`${url}/abort`, { form: {} });
  const done = await browser.follow(cancel, url, redirectUri);
  const result = new URL(done.url);
  assert.equal(result.searchParams.get('error'), 'access_denied');
  assert.equal(result.searchParams.get('error_description'), 'The user cancelled the sign-in');

  // A stale interaction (cookie gone) gets a friendly page, not a stack trace.
  const stale = await fetch(url);
  assert.equal(stale.status, 400);
  assert.match(await stale.text(), /Sign-in expired/);
});

test('mail catcher: captures SMTP mail and shows it over HTTP', async () => {
  const catcher: MailCatcher = await startMailCatcher({ httpPort: 0 });
  cleanups.push(() => catcher.close());
  assert.ok(catcher.httpUrl);

  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false, ignoreTLS: true });
  cleanups.push(async () => transport.close());
  const waiting = catcher.waitFor((m) => m.to.includes('partner@example.org'));
  await transport.sendMail({
    from: '"Passerelle" <no-reply@passerelle.example>',
    to: 'Partner@Example.org',
    cc: 'Sponsor <sponsor@example.org>',
    subject: 'Your access request <#1> was approved',
    text: 'Hello,\nyour request was approved.',
    html: '<p>Hello, <b>approved</b> <script>alert(1)</script></p>',
  });
  const mail = await waiting;
  assert.equal(mail.subject, 'Your access request <#1> was approved');
  assert.deepEqual(mail.to, ['partner@example.org']);
  assert.deepEqual(mail.cc, ['sponsor@example.org']);
  assert.match(mail.from, /no-reply@passerelle\.example/);
  assert.match(mail.text, /your request was approved/);
  assert.match(mail.html!, /<b>approved<\/b>/);
  assert.equal(mail.headers.subject, mail.subject);
  // Already received → resolves immediately.
  assert.equal((await catcher.waitFor((m) => m.id === mail.id, 10)).id, mail.id);
  await assert.rejects(catcher.waitFor((m) => m.subject === 'never', 50), /No matching e-mail arrived within 50 ms/);

  const inbox = await fetch(catcher.httpUrl!);
  assert.equal(inbox.status, 200);
  assert.ok(inbox.headers.get('content-security-policy'));
  const inboxHtml = await inbox.text();
  assert.match(inboxHtml, new RegExp(`<a href="/messages/${mail.id}">Your access request &#60;#1&#62; was approved</a>`));
  assert.match(inboxHtml, /partner@example\.org/);

  const detail = await fetch(`${catcher.httpUrl}/messages/${mail.id}`);
  assert.equal(detail.status, 200);
  const detailHtml = await detail.text();
  assert.match(detailHtml, /<pre>Hello,\nyour request was approved\.<\/pre>/);
  assert.match(detailHtml, /<iframe sandbox srcdoc="&#60;p&#62;Hello, &#60;b&#62;approved/);
  assert.doesNotMatch(detailHtml, /<script>/);

  assert.equal((await fetch(`${catcher.httpUrl}/messages/999`)).status, 404);

  catcher.clear();
  assert.equal(catcher.messages().length, 0);
});

test('redis server: start, crash, restart, stop', async (t) => {
  let redis: RedisServer;
  try {
    redis = await startRedisServer({ port: 0, dir: null });
  } catch (err) {
    if (/not found on PATH/.test((err as Error).message)) return t.skip((err as Error).message);
    throw err;
  }
  cleanups.push(() => redis.stop());
  assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
  assert.equal(await isRedisReachable(redis.url), true);

  await redis.kill();
  assert.equal(await isRedisReachable(redis.url, 500), false);

  await redis.restart();
  assert.equal(await isRedisReachable(redis.url), true);

  await redis.stop();
  assert.equal(await isRedisReachable(redis.url, 500), false);
  assert.equal(await isRedisReachable('not a url'), false);
});

test('demo: a process that ends while the demo runs stops it; the end of a stop is expected unless a process fails to close', () => {
  assert.equal(describeChildExit('worker', 1, null, false), 'A Passerelle process (worker) exited with code 1; stopping the demo.');
  assert.equal(describeChildExit('web', 0, null, false), 'A Passerelle process (web) exited with code 0; stopping the demo.');
  assert.equal(describeChildExit('worker', null, 'SIGKILL', false), 'A Passerelle process (worker) was ended by SIGKILL; stopping the demo.');
  // Ctrl+C reaches every process of the terminal's group: each closes and exits 0, or dies of the signal.
  assert.equal(describeChildExit('web', 0, null, true), null);
  assert.equal(describeChildExit('partner-wiki', null, 'SIGINT', true), null);
  assert.equal(describeChildExit('worker', 1, null, true), 'A Passerelle process (worker) exited with code 1 while the demo was stopping.');
});

test('redis server in its own process group: a Ctrl+C to the group that started it does not end it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-redis-group-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  // The starter is a process group of its own, as a terminal's foreground job is; it dies of the SIGINT.
  const starter = async (ownProcessGroup: boolean) => {
    const code = `import(${JSON.stringify(path.resolve('src/demo/redisServer.ts'))}).then(async (m) => { const r = await m.startRedisServer({ dir: ${JSON.stringify(dir)}, ownProcessGroup: ${ownProcessGroup} }); console.log(r.url); setInterval(() => {}, 1000); })`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => { const m = /redis:\/\/\S+/.exec(chunk.toString()); if (m) resolve(m[0]); });
      proc.once('exit', (c) => reject(new Error(`the starter exited (${c}) before Redis answered`)));
    });
    const ended = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(-proc.pid!, 'SIGINT');
    await ended;
    return url;
  };
  let url: string;
  try {
    url = await starter(true);
  } catch (err) {
    if (/not found on PATH/.test((err as Error).message)) return t.skip((err as Error).message);
    throw err;
  }
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined); // SHUTDOWN below closes the socket under it
  await client.connect();
  try {
    assert.equal(await client.ping(), 'PONG', 'Redis still answers after the Ctrl+C');
  } finally {
    await client.sendCommand(['SHUTDOWN', 'NOSAVE']).catch(() => undefined);
    await client.disconnect().catch(() => undefined);
  }
  // The control: in the starter's group, the same Ctrl+C ends it.
  const inGroup = await starter(false);
  let answers = true;
  for (let i = 0; i < 50 && answers; i++) {
    answers = await isRedisReachable(inGroup, 200);
    if (answers) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(answers, false, 'Redis in the starter\'s group ends with it');
});
