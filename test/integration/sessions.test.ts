// Session lifetimes (ASVS V3.3): a session ends after SESSION_IDLE_MINUTES without a request, and in
// any case SESSION_ABSOLUTE_HOURS after sign-in however busy it is; signing out ends it on the server.
//
// Time is simulated honestly in the database, where the app keeps its sessions: the idle expiry is
// the row's expires_at (moved into the past, as the clock would leave it), the absolute one counts
// from the sign-in time recorded in the stored session (moved back). The app's own code then decides.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { SESSION_COOKIE, cookieIn, editSession, sessionRow, setSessionExpiry, sidOf } from '../harness/sessions.ts';

const IDLE_MINUTES = 20;
const ABSOLUTE_HOURS = 2;
const MINUTE = 60_000;

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { SESSION_IDLE_MINUTES: String(IDLE_MINUTES), SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_HOURS) } });
});
after(async () => {
  await stack?.stop();
});

/** Paula signed in at Acme, on her requests page; returns her browser, cookie value and session id. */
async function paulaSignedIn() {
  const b = new Browser();
  await b.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const page = await b.go(`${stack.appUrl}/requests`);
  assert.equal(page.status, 200);
  assert.match(page.text, /paula@acme\.test/);
  const cookie = cookieIn(b, stack.appUrl)!;
  assert.ok(cookie, 'the browser holds a session cookie');
  return { b, cookie, sid: sidOf(cookie) };
}

/** What a request with exactly this cookie gets (a stolen or replayed cookie, or the browser's own). */
const withCookie = (cookie: string, path = '/requests') => supertest(stack.appUrl).get(path).set('Cookie', `${SESSION_COOKIE}=${cookie}`).redirects(0);

function assertSentToSignIn(page: { status: number; headers: Record<string, unknown> }) {
  assert.equal(page.status, 303);
  assert.equal(page.headers.location, '/?signIn=1');
}

test(`a session idle for longer than SESSION_IDLE_MINUTES (${IDLE_MINUTES}) is anonymous on the next request, and its row is gone`, async () => {
  const { b, cookie, sid } = await paulaSignedIn();
  const row = await sessionRow(stack.db, sid);
  assert.ok(row, 'the session is kept in the database');
  const left = new Date(row!.expires_at).getTime() - Date.now();
  assert.ok(left > (IDLE_MINUTES - 2) * MINUTE && left <= IDLE_MINUTES * MINUTE, `expires in ${left / MINUTE} minutes`);

  // Activity keeps it alive: five minutes before the end, a click pushes the end a full idle period on.
  await setSessionExpiry(stack.db, sid, new Date(Date.now() + 5 * MINUTE));
  assert.equal((await b.go(`${stack.appUrl}/requests`)).status, 200);
  const pushed = new Date((await sessionRow(stack.db, sid))!.expires_at).getTime() - Date.now();
  assert.ok(pushed > (IDLE_MINUTES - 2) * MINUTE, `pushed to ${pushed / MINUTE} minutes`);

  // Then twenty-one minutes pass without a request.
  await setSessionExpiry(stack.db, sid, new Date(Date.now() - MINUTE));
  const next = await b.request('GET', `${stack.appUrl}/requests`);
  assertSentToSignIn(next);
  const home = await b.go(`${stack.appUrl}/requests`);
  assert.match(home.text, /Please sign in first/);
  assert.doesNotMatch(home.text, /paula@acme\.test/);
  assert.equal(await sessionRow(stack.db, sid), undefined, 'the expired row is deleted');
  assertSentToSignIn(await withCookie(cookie));
});

test(`a session older than SESSION_ABSOLUTE_HOURS (${ABSOLUTE_HOURS}) ends on the next request even though it is in use`, async () => {
  const before = Date.now();
  const { b, cookie, sid } = await paulaSignedIn();
  const stored = JSON.parse((await sessionRow(stack.db, sid))!.sess) as { signedInAt?: number };
  assert.ok(typeof stored.signedInAt === 'number' && stored.signedInAt >= before - 1000 && stored.signedInAt <= Date.now(), `sign-in time recorded at login: ${stored.signedInAt}`);

  // Signed in one minute short of the limit, and active all along (the idle expiry is fresh): still in.
  await editSession(stack.db, sid, (s) => (s.signedInAt = Date.now() - ABSOLUTE_HOURS * 60 * MINUTE + MINUTE));
  const still = await b.go(`${stack.appUrl}/requests`);
  assert.equal(still.status, 200);
  assert.match(still.text, /paula@acme\.test/);

  // Two minutes later the limit has passed. The row's idle expiry is still in the future.
  await editSession(stack.db, sid, (s) => (s.signedInAt = Date.now() - ABSOLUTE_HOURS * 60 * MINUTE - MINUTE));
  assert.ok((await sessionRow(stack.db, sid))!.expires_at > new Date().toISOString(), 'not idle');
  const next = await b.request('GET', `${stack.appUrl}/requests`);
  assertSentToSignIn(next);
  assert.equal(await sessionRow(stack.db, sid), undefined, 'the session row is destroyed');
  const home = await b.go(`${stack.appUrl}/access`);
  assert.match(home.text, /Please sign in first/);
  assertSentToSignIn(await withCookie(cookie));

  // Signing in again (Acme still knows her, so no password prompt) starts a new session with a new
  // clock and brings her back to the page she asked for.
  const again = await b.go(`${stack.appUrl}/auth/acme`);
  assert.equal(again.status, 200);
  assert.ok(again.url.endsWith('/access'), again.url);
  const fresh = cookieIn(b, stack.appUrl)!;
  assert.notEqual(sidOf(fresh), sid);
  assert.equal((await withCookie(fresh)).status, 200);
});

test('signing out destroys the session on the server: the old cookie, replayed, is anonymous', async () => {
  const { b, cookie, sid } = await paulaSignedIn();
  assert.equal((await withCookie(cookie)).status, 200, 'the cookie works before sign-out');
  const page = await b.go(`${stack.appUrl}/requests`);
  const out = await b.submit(page, '/auth/logout', {});
  assert.equal(out.status, 200);
  assert.ok(out.url.endsWith('/?signedOut=1'), out.url);
  assert.equal(await sessionRow(stack.db, sid), undefined, 'the row is deleted');
  const replayed = await withCookie(cookie);
  assertSentToSignIn(replayed);
  assertSentToSignIn(await withCookie(cookie, '/access'));
});

test('redeeming an invitation starts a new session id: the old cookie is anonymous afterwards, the sign-in clock is kept', async () => {
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', ['Partner Wiki']);
  await waitUntilRouted(stack, id);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject));
  await pete.go(redeemLink(mail.text));
  const review = await pete.go(`${stack.appUrl}/redeem`);
  assert.equal(review.status, 200);
  const before = cookieIn(pete, stack.appUrl)!;
  const signedInAt = (JSON.parse((await sessionRow(stack.db, sidOf(before)))!.sess) as { signedInAt?: number }).signedInAt;
  assert.equal(typeof signedInAt, 'number');

  const welcome = await pete.submit(review, '/redeem', {});
  assert.equal(welcome.status, 200);
  assert.ok(welcome.url.endsWith('/access?welcome=1'), welcome.url);
  const afterCookie = cookieIn(pete, stack.appUrl)!;
  assert.notEqual(sidOf(afterCookie), sidOf(before), 'a new session id');
  assert.equal(await sessionRow(stack.db, sidOf(before)), undefined, 'the old session is gone on the server');
  assertSentToSignIn(await withCookie(before, '/access'));
  assertSentToSignIn(await withCookie(before, '/requests'));
  assert.equal((await withCookie(afterCookie, '/access')).status, 200, 'the new cookie is the guest');
  const stored = JSON.parse((await sessionRow(stack.db, sidOf(afterCookie)))!.sess) as { signedInAt?: number };
  assert.equal(stored.signedInAt, signedInAt, 'the absolute lifetime still counts from the sign-in');
  // The new session's forms work (a fresh CSRF token comes with the page).
  const access = await pete.go(`${stack.appUrl}/access`);
  const out = await pete.submit(access, '/auth/logout', {});
  assert.ok(out.url.endsWith('/?signedOut=1'), out.url);
});
