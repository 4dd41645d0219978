// No secret in the logs or the audit log (ASVS V7.1.1, V7.1.2): the whole journey runs against the web
// and worker as real child processes logging at trace level (everything they can say), then their
// output and every row of audit_events are searched for each secret that passed through: invitation
// tokens and one-time codes (read from the captured mail), session cookies, CSRF tokens from the
// forms, the identity providers' client secrets (one of them typed into the admin form) and
// SESSION_SECRET.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, redeemLink, type Page } from '../harness/browser.ts';
import { catalogIds, waitUntilRouted } from '../harness/flows.ts';
import { cookieIn, sidOf } from '../harness/sessions.ts';
import { startAtLevel } from '../harness/tracedProcesses.ts';
import type { Proc } from '../harness/processes.ts';
import { allMailSent, idpRow } from '../harness/stored.ts';

const SESSION_SECRET = `log-test-session-secret-${randomBytes(24).toString('hex')}`;
const TYPED_CLIENT_SECRET = `typed-client-secret-${randomBytes(16).toString('hex')}`;

let stack: Stack;
let web: Proc;
let worker: Proc;
const secrets = new Map<string, string>(); // value → what it is

before(async () => {
  stack = await startStack({ web: false, worker: false, env: { SESSION_SECRET } });
  [web, worker] = await Promise.all([startAtLevel('web', stack.env, 'trace'), startAtLevel('worker', stack.env, 'trace')]);
});
after(async () => {
  await web?.kill('SIGKILL');
  await worker?.kill('SIGKILL');
  await stack?.stop();
});

/** A browser whose every page's CSRF token and every session cookie it held are remembered as secrets. */
class Watched extends Browser {
  constructor(private readonly who: string) {
    super();
  }

  private remember(page: Page): Page {
    const csrf = csrfToken(page.text);
    if (csrf) secrets.set(csrf, `CSRF token (${this.who})`);
    const cookie = cookieIn(this, stack.appUrl);
    if (cookie) {
      secrets.set(cookie, `session cookie (${this.who})`);
      secrets.set(decodeURIComponent(cookie), `session cookie, decoded (${this.who})`);
      secrets.set(sidOf(cookie), `session id (${this.who})`);
    }
    return page;
  }

  override async request(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>): Promise<Page> {
    return this.remember(await super.request(method, url, form));
  }
}

const go = (b: Browser, path: string) => b.go(`${stack.appUrl}${path}`);

test('after the whole journey at trace level, no secret is in the processes’ output or the audit log', async () => {
  // A partner asks; a sponsor approves; the worker provisions and mails the invitation.
  const paula = new Watched('paula');
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const asked = await paula.submit(await go(paula, '/requests/new'), '/requests', {
    items: await catalogIds(stack, ['Partner Wiki']),
    justification: 'We co-develop the Atlas gearbox and need the shared specifications.',
  });
  const id = Number(/\/requests\/(\d+)/.exec(asked.url)?.[1]);
  assert.ok(id > 0, asked.url);
  await waitUntilRouted(stack, id);
  const sam = new Watched('sam');
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const decided = await sam.submit(await go(sam, `/inbox/${id}`), `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.match(decided.text, /approved/);

  // The partner redeems the invitation from the mail.
  const invitation = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /\/redeem\//.test(m.text));
  const link = redeemLink(invitation.text);
  secrets.set(link.split('/redeem/')[1], 'invitation token');
  await paula.go(link);
  const access = await paula.submit(await go(paula, '/redeem'), '/redeem', {});
  assert.ok(access.url.endsWith('/access?welcome=1'), access.url);

  // Someone without an IdP signs in with a one-time code; a wrong code is tried first.
  const olga = new Watched('olga');
  const codePage = await olga.submit(await go(olga, '/'), '/auth/discover', { email: 'olga@nowhere-corp.test' });
  const codeMail = await stack.mail.waitFor((m) => m.to.includes('olga@nowhere-corp.test'));
  const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(codeMail.text)![1];
  secrets.set(code, 'one-time code');
  secrets.set(code.replace(/-/g, ''), 'one-time code, without dashes');
  assert.equal((await olga.submit(codePage, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAAA' })).status, 401);
  const signedIn = await olga.submit(codePage, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code });
  assert.ok(signedIn.url.endsWith('/requests'), signedIn.url);

  // An admin adds an identity provider, typing its secret, and tests it (it cannot be reached).
  const ada = new Watched('ada');
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  const created = await ada.submit(await go(ada, '/admin/idps/new'), '/admin/idps', {
    name: 'Initrode', slug: 'initrode', kind: 'partner', issuer: 'http://127.0.0.1:9/initrode', client_id: 'passerelle-initrode',
    client_secret: TYPED_CLIENT_SECRET, scopes: 'openid email profile', email_domains: 'initrode.test',
  });
  assert.equal(created.status, 200, created.text.slice(0, 300));
  const initrode = await idpRow(stack, 'initrode');
  await ada.submit(await go(ada, `/admin/idps/${initrode.id}`), `/admin/idps/${initrode.id}/test`, {});
  // A forged callback: a failed sign-in is logged.
  assert.equal((await paula.request('GET', `${stack.appUrl}/auth/acme/callback?code=forged&state=forged`)).status, 401);
  // Sign-out, which destroys a session.
  await paula.submit(await go(paula, '/access'), '/auth/logout', {});
  await eventually('all mail sent', () => allMailSent(stack));

  for (const idp of await stack.db('identity_providers').select('slug', 'client_secret')) {
    if (idp.client_secret) secrets.set(idp.client_secret, `client secret of ${idp.slug}`);
  }
  secrets.set(SESSION_SECRET, 'SESSION_SECRET');
  assert.ok(secrets.has(TYPED_CLIENT_SECRET), 'the typed secret was stored');
  const kinds = new Set([...secrets.values()].map((k) => k.replace(/ \(.*\)$/, '')));
  for (const k of ['invitation token', 'one-time code', 'session cookie', 'session id', 'CSRF token', 'client secret of acme', 'SESSION_SECRET']) assert.ok(kinds.has(k), `collected ${k}`);

  // Stopped, so everything they wrote is in.
  await Promise.all([web.kill('SIGTERM'), worker.kill('SIGTERM')]);
  const logs = { web: web.output(), worker: worker.output() };
  // The logs did say things: the processes started and the failed sign-in above was logged.
  assert.match(logs.web, /web process listening/);
  assert.match(logs.web, /sign-in failed/);
  assert.match(logs.worker, /worker started/);
  const audit = (await stack.db('audit_events').orderBy('seq')).map((r) => JSON.stringify(r)).join('\n');
  assert.match(audit, /invitation\.redeemed/);
  assert.match(audit, /auth\.code_used/);
  assert.match(audit, /idp\.created/);

  const found: string[] = [];
  for (const [value, what] of secrets) {
    for (const [where, text] of Object.entries({ ...logs, audit_events: audit })) {
      if (value.length >= 8 && text.includes(value)) found.push(`${what} (${value.slice(0, 6)}…) in ${where}`);
    }
  }
  assert.deepEqual(found, []);
});

test('the logger itself hides tokens, passwords, secrets, cookies and CSRF tokens, wherever a log call puts them', async () => {
  // Run in a child process: the logger writes to stdout, which the test runner reads as its own.
  const secret = (k: string) => `${k}-${randomBytes(12).toString('hex')}`;
  const values = Object.fromEntries(['token', 'password', 'secret', 'client_secret', 'clientSecret', 'sessionSecret', 'cookie', 'authorization', '_csrf', 'csrfToken', 'header', 'setCookie'].map((k) => [k, secret(k)]));
  const script = `
    import { createLogger } from './src/log.ts';
    const v = ${JSON.stringify(values)};
    const log = createLogger('trace', 'redaction-check');
    log.trace({ token: v.token, password: v.password, secret: v.secret, client_secret: v.client_secret }, 'top level');
    log.debug({ body: { _csrf: v._csrf, token: v.token }, idp: { client_secret: v.client_secret, clientSecret: v.clientSecret }, config: { sessionSecret: v.sessionSecret } }, 'one level down');
    log.info({ req: { headers: { cookie: v.cookie, authorization: v.authorization, 'x-csrf-token': v.header } }, res: { headers: { 'set-cookie': v.setCookie } } }, 'request');
    log.warn({ csrfToken: v.csrfToken, err: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }, 'still useful');
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname });
  assert.equal(stdout.trim().split('\n').length, 4, stdout);
  assert.deepEqual(Object.entries(values).filter(([, v]) => stdout.includes(v)).map(([k]) => k), []);
  assert.match(stdout, /\[redacted\]/);
  assert.match(stdout, /ECONNREFUSED/, 'error codes are kept');
});
