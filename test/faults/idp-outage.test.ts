// Fault test: "IdP down or slow at sign-in: the partner sees a clear page within a bounded time; no
// session, no half-created user." The Acme issuer is closed, restarted on the same port (fresh
// signing keys each time), made slow, and finally left running normally.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { touchIdpRow } from '../harness/rowEdits.ts';
import { auditEvents, identitiesWithSubject } from '../harness/stored.ts';
import { startDemoIssuer, type DemoIssuerSpec, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD, issuerSpecs } from '../../src/demo/world.ts';

/** A bound on a hang, not a performance target: the app gives the IdP 5 s, then answers. */
const BOUND_MS = 7_500;
const TOKEN_DELAY_MS = 8_000;

let stack: Stack;
let spec: DemoIssuerSpec;
let port: number;
/** The Acme issuer currently on `port`; replaced at each restart. */
let acme: RunningIssuer;
const started: RunningIssuer[] = [];

before(async () => {
  stack = await startStack();
  spec = issuerSpecs(stack.appUrl).find((s) => s.key === 'acme')!;
  acme = stack.issuers.acme;
  port = acme.port;
});
after(async () => {
  for (const issuer of started) await issuer.close();
  await stack?.stop();
});

/** Starts a new Acme issuer on the same port (same issuer URL, new signing keys). */
async function restartAcme(): Promise<RunningIssuer> {
  await acme.close();
  acme = await startDemoIssuer(spec, { port });
  started.push(acme);
  // A failed discovery is remembered for 30 s per provider row version (visitors cannot make the app
  // ask a broken IdP again and again); an admin's working "test connection", which this stands for,
  // marks the row changed, so the next sign-in discovers at once.
  await touchIdpRow(stack, 'acme');
  assert.equal(acme.issuer, stack.issuers.acme.issuer, 'same issuer URL as the one in the database');
  return acme;
}

async function signingKeyIds(issuer: RunningIssuer): Promise<string[]> {
  const res = await fetch(`${issuer.issuer}/jwks`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

/**
 * Delays every request to the token endpoint while `on()` says so, before oidc-provider sees it.
 *
 * `provider.use(...)` cannot do this on a running demo issuer: startDemoIssuer composed the Koa
 * middleware once (`provider.callback()`, src/demo/idp.ts), and koa-compose copies the list, so
 * middleware added afterwards never runs. Koa looks `handleRequest` up on every request, so wrapping
 * it puts a step in front of the composed middleware, which is what a first `use` would have done.
 */
function delayTokenEndpoint(issuer: RunningIssuer, ms: number, on: () => boolean): { delayed: () => number } {
  let delayed = 0;
  type Ctx = { path: string; req: { socket: { destroyed: boolean } } };
  type Handle = (ctx: Ctx, fn: (ctx: Ctx, next?: unknown) => Promise<unknown>) => Promise<unknown>;
  const app = issuer.provider as unknown as { handleRequest: Handle };
  const original = app.handleRequest;
  app.handleRequest = function (this: unknown, ctx, fn) {
    return original.call(this, ctx, async (c, next) => {
      if (on() && c.path.endsWith('/token')) {
        delayed++;
        await sleep(ms, undefined, { ref: false });
        if (c.req.socket.destroyed) return; // the client gave up; nobody to answer
      }
      return fn(c, next);
    });
  };
  return { delayed: () => delayed };
}

/** Fails instead of waiting for the test timeout when a request hangs. */
async function timed(what: string, request: () => Promise<Page>): Promise<{ page: Page; ms: number }> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const page = await Promise.race([
    request(),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung for 15 s`)), 15_000))),
  ]).finally(() => clearTimeout(timer));
  return { page, ms: Date.now() - t0 };
}

const isRedirect = (p: Page) => [301, 302, 303, 307, 308].includes(p.status);
const locationOf = (p: Page) => new URL(String(p.headers.location), p.url).toString();

/**
 * Drives the sign-in at /auth/acme hop by hop, answers the IdP's login form, and stops at the
 * redirect back to our callback, which it returns without requesting it.
 */
async function untilCallback(browser: Browser, email: string): Promise<string> {
  const callback = `${stack.appUrl}/auth/acme/callback?`;
  let page = await browser.request('GET', `${stack.appUrl}/auth/acme`);
  for (let hop = 0; isRedirect(page) && hop < 10; hop++) page = await browser.request('GET', locationOf(page));
  assert.equal(page.status, 200, `the IdP login page, got ${page.status} at ${page.url}: ${page.text.slice(0, 300)}`);
  assert.match(page.text, /name="password"/);
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(page.text)?.[1] ?? /action="([^"]*\/login)"/.exec(page.text)?.[1];
  assert.ok(action, 'a login form');
  page = await browser.request('POST', new URL(action.replace(/&amp;/g, '&'), page.url).toString(), { email, password: DEMO_PASSWORD });
  for (let hop = 0; hop < 10; hop++) {
    assert.ok(isRedirect(page), `a redirect, got ${page.status} at ${page.url}: ${page.text.slice(0, 300)}`);
    const next = locationOf(page);
    if (next.startsWith(callback)) {
      assert.match(next, /[?&]code=/);
      return next;
    }
    page = await browser.request('GET', next);
  }
  throw new Error('never redirected back to the callback');
}

async function assertAnonymous(browser: Browser): Promise<void> {
  const page = await browser.request('GET', `${stack.appUrl}/requests`);
  assert.equal(page.status, 303, 'not signed in');
  assert.equal(page.headers.location, '/?signIn=1');
}

async function assertNoUser(email: string, subject: string): Promise<void> {
  assert.deepEqual(await stack.db('users').where({ email }), [], `no user row for ${email}`);
  assert.deepEqual(await identitiesWithSubject(stack, subject), [], `no identity row for ${subject}`);
  assert.deepEqual(await signedIn(email), [], `no completed sign-in for ${email}`);
}

const signedIn = (email: string) => auditEvents(stack, { action: 'auth.signed_in', actor_label: email });

const failedSignIns = () => auditEvents(stack, { action: 'auth.sign_in', target: 'idp:acme', outcome: 'failure' });

test('an IdP that is down before sign-in: /auth/acme answers 503 "not answering" at once', async () => {
  await acme.close();
  const paula = new Browser();
  const { page, ms } = await timed('/auth/acme', () => paula.request('GET', `${stack.appUrl}/auth/acme`));
  assert.equal(page.status, 503, page.text.slice(0, 300));
  assert.match(page.text, /not answering/);
  assert.match(page.text, /Acme Industries/);
  assert.ok(ms < BOUND_MS, `answered after ${ms} ms`);
  await assertAnonymous(paula);
});

test('an IdP that goes down between its redirect and our callback: 502 "not answering", no session, no user', async (t) => {
  await restartAcme();
  const pete = new Browser();
  const callback = await untilCallback(pete, 'pete@acme.test');
  const failuresBefore = (await failedSignIns()).length;
  await acme.close();

  const { page, ms } = await timed('the callback', () => pete.request('GET', callback));
  assert.equal(page.status, 502, page.text.slice(0, 500));
  assert.match(page.text, /not answering/);
  assert.ok(ms < BOUND_MS, `answered after ${ms} ms`);
  await assertAnonymous(pete);
  await assertNoUser('pete@acme.test', 'acme-pete');
  const failures = await failedSignIns();
  assert.equal(failures.length, failuresBefore + 1, 'one failed sign-in audited');
  const error = JSON.parse(failures.at(-1).details).error;
  assert.ok(error, 'with the error');
  t.diagnostic(`callback answered after ${ms} ms; audited error: ${error}`);
});

test('a slow IdP: the callback answers 502 after our 5-second timeout, not after the IdP\'s 8 s', async (t) => {
  await restartAcme();
  let slow = false;
  const token = delayTokenEndpoint(acme, TOKEN_DELAY_MS, () => slow);

  // A normal sign-in first, so everything the app caches about this issuer is warm.
  const paula = new Browser();
  const landed = await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  assert.equal(landed.status, 200, landed.text.slice(0, 300));
  assert.match(landed.url, /\/requests$/);
  assert.equal(token.delayed(), 0);

  slow = true;
  const pete = new Browser();
  const callback = await untilCallback(pete, 'pete@acme.test');
  const failuresBefore = (await failedSignIns()).length;
  const { page, ms } = await timed('the callback', () => pete.request('GET', callback));
  t.diagnostic(`callback answered after ${ms} ms`);
  assert.equal(token.delayed(), 1, 'the token request met the slow IdP');
  assert.equal(page.status, 502, page.text.slice(0, 500));
  assert.match(page.text, /not answering/);
  assert.ok(ms < BOUND_MS, `answered after ${ms} ms; the IdP would have answered after ${TOKEN_DELAY_MS} ms`);
  assert.ok(ms >= 4_000, `answered after ${ms} ms: before the 5 s timeout, so not because of it`);
  await assertAnonymous(pete);
  await assertNoUser('pete@acme.test', 'acme-pete');
  const failures = await failedSignIns();
  assert.equal(failures.length, failuresBefore + 1, 'one failed sign-in audited');
  t.diagnostic(`audited error: ${JSON.parse(failures.at(-1).details).error}`);
});

test('when the IdP is back (restarted, new signing keys), sign-in works again', async () => {
  const oldKeys = await signingKeyIds(acme);
  await restartAcme();
  const newKeys = await signingKeyIds(acme);
  assert.ok(!newKeys.some((k) => oldKeys.includes(k)), 'the restarted issuer signs with new keys');

  // Pete, whose two earlier attempts failed, and Paula, who signed in before the restart.
  for (const [email, sub] of [['pete@acme.test', 'acme-pete'], ['paula@acme.test', 'acme-paula']]) {
    const browser = new Browser();
    const before = (await signedIn(email)).length;
    const landed = await browser.signIn(stack.appUrl, 'acme', email);
    assert.equal(landed.status, 200, `${email} at ${landed.url}: ${landed.text.slice(0, 500)}`);
    assert.match(landed.url, /\/requests$/);
    assert.equal((await browser.request('GET', `${stack.appUrl}/requests`)).status, 200, `${email} is signed in`);
    const events = await signedIn(email);
    assert.equal(events.length, before + 1, `one completed sign-in for ${email}`);
    assert.equal(events.at(-1).actor_id, `${acme.issuer}|${sub}`);
    // A partner without access is known by identity only: signing in creates no user row.
    assert.deepEqual(await stack.db('users').where({ email }), []);
  }
});
