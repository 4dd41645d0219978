// Refusals of an application's sign-in through Passerelle, as the app (an openid-client relying
// party) and the person's browser see them: who may not sign in, what an app may not ask for, and
// what a stolen, replayed or misdirected code or token gets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest, systemContext, type AppClientOverrides } from '../harness/factories.ts';
import { relyingParty, type RelyingParty } from '../harness/relyingParty.ts';
import { auditEvents } from '../harness/stored.ts';
import { expireMemberships } from '../harness/rowEdits.ts';
import { itemsNamed } from '../harness/world.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { grantAccess } from '../../src/commands/grantAccess.ts';
import { disableGuest } from '../../src/commands/admin/guests/disableGuest.ts';
import type { User } from '../../src/db/rows.ts';

const CALLBACK = 'http://127.0.0.1:9/callback';

let stack: Stack;
let paulaId = 0;
before(async () => {
  stack = await startStack();
  paulaId = await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' } });
});
after(async () => {
  await stack?.stop();
});

/** A new application in the catalog with its OpenID Connect client. */
async function app(name: string, o: AppClientOverrides = {}) {
  await buildCatalogItem(stack, { kind: 'app', name });
  return buildAppClient(stack, { item: name, ...o });
}

/** The memberships an admin grants, as the approval workflow's provisioning grants them. */
async function grant(userId: number, items: string[]): Promise<void> {
  const catalog = await itemsNamed(stack, items);
  await inTransaction(stack.db, async (trx) => {
    const guest = await trx<User>('users').where({ id: userId }).first();
    await grantAccess(trx, systemContext(), guest!, catalog, { source: 'invitation', sourceId: null, grantedBy: null });
  });
}

async function signedIn(slug: string, email: string): Promise<Browser> {
  const browser = new Browser();
  const landing = await browser.signIn(stack.appUrl, slug, email);
  assert.equal(landing.status, 200, `${email} signed in to Passerelle: ${landing.status} at ${landing.url}`);
  return browser;
}

/** Follows an authorization request; the page it stops on (failing if the app's callback was reached). */
async function stoppedAt(rp: RelyingParty, browser: Browser, url: string | URL): Promise<Page> {
  const step = await rp.browse(browser, url);
  assert.ok('page' in step, `the browser was sent to the app's callback: ${'callback' in step ? step.callback : ''}`);
  return step.page;
}

function assertNoAccessPage(page: Page, item: { name: string; id: number }, canRequest: boolean) {
  assert.equal(page.status, 403, page.text.slice(0, 400));
  assert.ok(page.text.includes(`You don&#39;t have access to ${item.name}`) || page.text.includes(`You don't have access to ${item.name}`), page.text.slice(0, 600));
  assert.ok(!page.text.includes('127.0.0.1:9'), 'the page holds no link to the app’s callback');
  assert.equal(page.text.includes(`href="/requests/new?item=${item.id}"`), canRequest, 'the request-access button');
}

async function userinfoStatus(rp: RelyingParty, accessToken: string): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await fetch(rp.config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${accessToken}` } });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function refreshError(rp: RelyingParty, refreshToken: string): Promise<string> {
  const err = await oidc.refreshTokenGrant(rp.config, refreshToken).then(
    () => assert.fail('the refresh token was honoured'),
    (e: unknown) => e as { error?: string },
  );
  return String(err.error);
}

/** openid-client's refusal of a callback for its state ("invalid response encountered", caused by the state check). */
const stateRefused = (err: unknown) => /unexpected "state"/.test(String((err as { cause?: Error }).cause?.message));

const itemNamed = async (name: string) => {
  const [item] = await itemsNamed(stack, [name]);
  return { id: Number(item.id), name: item.name };
};

describe('who may not sign in to an app', () => {
  test('a guest without a membership of the app gets the refusal page with a request button; nothing reaches the app', async () => {
    const client = await app('Design Tracker');
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const { url } = await rp.start();
    const page = await stoppedAt(rp, browser, url);
    assertNoAccessPage(page, await itemNamed('Design Tracker'), true);
    const refused = await auditEvents(stack, { action: 'app.sign_in', target: `item:${client.itemId}` });
    assert.deepEqual(refused.map((e) => e.outcome), ['denied']);

    // The same request succeeds once she holds the membership: the membership made the difference.
    await grant(paulaId, ['Design Tracker']);
    const tokens = await rp.signIn(browser);
    assert.equal(tokens.claims()!.email, 'paula@acme.test');
  });

  test('Gary, signed in at his IdP but unknown to Passerelle, gets the same refusal page', async () => {
    const client = await app('Gary Refused');
    const browser = await signedIn('globex', 'gary@globex.test');
    const rp = await relyingParty(stack.appUrl, client);
    const { url } = await rp.start();
    const page = await stoppedAt(rp, browser, url);
    assertNoAccessPage(page, await itemNamed('Gary Refused'), true);
    const refused = await auditEvents(stack, { action: 'app.sign_in', target: `item:${client.itemId}` });
    assert.deepEqual(refused.map((e) => e.outcome), ['denied']);
  });

  test('a member of our organization is refused an assignment-required app unless it allows members', async () => {
    const closed = await app('Members Closed', { allow_members: false });
    const open = await app('Members Open', { allow_members: true });
    const ada = await signedIn('ours', 'ada.admin@passerelle.test');

    const rpClosed = await relyingParty(stack.appUrl, closed);
    const page = await stoppedAt(rpClosed, ada, (await rpClosed.start()).url);
    // Members do not use the partners' request form: no button, a word on whom to ask.
    assertNoAccessPage(page, await itemNamed('Members Closed'), false);
    assert.match(page.text, /Ask the application&#39;s owner or an administrator|Ask the application's owner or an administrator/);
    const refused = await auditEvents(stack, { action: 'app.sign_in', target: `item:${closed.itemId}` });
    assert.deepEqual(refused.map((e) => [e.outcome, JSON.parse(e.details).reason]), [['denied', 'members not allowed']]);

    const rpOpen = await relyingParty(stack.appUrl, open);
    const claims = (await rpOpen.signIn(ada)).claims()!;
    assert.equal(claims.user_type, 'member');
    assert.equal(claims.email, 'ada.admin@passerelle.test');
  });

  test('a disabled guest: the Passerelle session ends, the app’s sign-in asks to sign in and cannot complete, old tokens stop', async () => {
    const client = await app('Disabled Check');
    const peteId = await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: ['Disabled Check'] });
    const browser = await signedIn('acme', 'pete@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const tokens = await rp.signIn(browser);
    assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 200);

    await disableGuest(stack, systemContext(), peteId);

    const page = await stoppedAt(rp, browser, (await rp.start()).url);
    assert.equal(page.status, 200);
    assert.match(page.text, /Sign in to continue to Disabled Check\./, 'the sign-in page, not the app');
    const mine = await browser.request('GET', `${stack.appUrl}/requests`);
    assert.equal(mine.status, 303, 'his Passerelle session ended');
    assert.equal(mine.headers.location, '/?signIn=1');
    // Still signed in at Acme, he comes straight back from it, and Passerelle refuses him.
    const again = await browser.go(`${stack.appUrl}/auth/acme`);
    assert.equal(again.status, 403, 'signing in again is refused');
    assert.ok(new URL(again.url).pathname.startsWith('/auth/acme/callback'), again.url);

    assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 401);
    assert.equal(await refreshError(rp, tokens.refresh_token!), 'invalid_grant');
  });

  test('after a membership expires: the next sign-in is refused, and so are the refresh token and the access token', async () => {
    const client = await app('Expiring App');
    await grant(paulaId, ['Expiring App']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const tokens = await rp.signIn(browser);
    assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 200);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    assert.ok(refreshed.access_token, 'the refresh token works while she holds the membership');

    await expireMemberships(stack, paulaId, client.itemId);

    const page = await stoppedAt(rp, browser, (await rp.start()).url);
    assertNoAccessPage(page, await itemNamed('Expiring App'), true);
    assert.equal(await refreshError(rp, refreshed.refresh_token ?? tokens.refresh_token!), 'invalid_grant');
    const info = await userinfoStatus(rp, refreshed.access_token);
    assert.equal(info.status, 401);
    assert.equal(info.body?.error, 'invalid_token');
    // Each refusal is on record, with why: the sign-in, the refresh (by the app) and userinfo.
    const denied = await stack.db('audit_events').where({ target: `item:${client.itemId}`, outcome: 'denied' }).orderBy('seq');
    assert.deepEqual(denied.map((e) => e.action), ['app.sign_in', 'app.token', 'app.userinfo']);
    for (const e of denied) assert.match(JSON.parse(e.details).reason, /no membership/);
  });
});

describe('what an app may not ask for', () => {
  test('a redirect URI the app did not register: an error page, and no redirect to it', async () => {
    const client = await app('Redirect Check');
    await grant(paulaId, ['Redirect Check']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const { url } = await rp.start({ redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    const page = await browser.request('GET', url.toString());
    assert.equal(page.status, 400, page.text.slice(0, 400));
    assert.equal(page.headers.location, undefined);
    assert.match(page.text, /This sign-in cannot continue/);
    assert.match(page.text, /invalid_redirect_uri/);
    assert.ok(!page.text.includes('127.0.0.1:9/elsewhere'), 'no link to the unregistered address either');
  });

  test('a public client without PKCE is refused and gets no code; with PKCE it signs in', async () => {
    const client = await app('Public App', { public_client: true });
    await grant(paulaId, ['Public App']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const url = new URL(rp.config.serverMetadata().authorization_endpoint!);
    for (const [k, v] of Object.entries({ client_id: client.clientId, response_type: 'code', scope: 'openid email', redirect_uri: CALLBACK, state: 'no-pkce-state', nonce: 'n-0123456789' })) {
      url.searchParams.set(k, v);
    }
    const step = await rp.browse(browser, url);
    // oidc-provider answers the registered redirect URI with the error (it is registered, so it may).
    assert.ok('callback' in step, `expected the error at the app's callback, got ${'page' in step ? step.page.status : ''}`);
    assert.equal(step.callback.searchParams.get('error'), 'invalid_request');
    assert.match(step.callback.searchParams.get('error_description') ?? '', /PKCE/);
    assert.equal(step.callback.searchParams.get('code'), null, 'no code issued');
    assert.equal(step.callback.searchParams.get('state'), 'no-pkce-state');

    const tokens = await rp.signIn(browser);
    assert.equal(tokens.claims()!.email, 'paula@acme.test');
  });

  test('a post_logout_redirect_uri the app did not register: an error page, no redirect to it', async () => {
    const client = await app('Logout Check', { post_logout_redirect_uris: ['http://127.0.0.1:9/signed-out'] });
    await grant(paulaId, ['Logout Check']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const tokens = await rp.signIn(browser);
    const endSession = (target: string) =>
      oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: target, state: 'bye' });

    // As a browser asks for a page (oidc-provider answers JSON to a client that does not accept HTML).
    const refused = await fetch(endSession('http://127.0.0.1:9/elsewhere'), { redirect: 'manual', headers: { accept: 'text/html' } });
    const text = await refused.text();
    assert.equal(refused.status, 400, text.slice(0, 400));
    assert.equal(refused.headers.get('location'), null);
    assert.match(text, /This sign-in cannot continue/);
    assert.match(text, /invalid_request/);
    assert.ok(!text.includes('127.0.0.1:9/elsewhere'));

    // The registered one is asked about (the sign-out confirmation) and returned to: the registration made the difference.
    const asked = await browser.request('GET', endSession('http://127.0.0.1:9/signed-out').toString());
    assert.equal(asked.status, 200, asked.text.slice(0, 400));
    assert.match(asked.text, /Logout Check is signing you out/);
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(asked.text)?.[1] ?? /<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(asked.text)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(asked.text)?.[1];
    assert.ok(action && xsrf, asked.text.slice(0, 800));
    const out = await browser.request('POST', new URL(action.replace(/&amp;/g, '&'), asked.url).toString(), { xsrf, logout: 'yes' });
    assert.equal(out.status, 303);
    const back = new URL(String(out.headers.location));
    assert.equal(`${back.origin}${back.pathname}`, 'http://127.0.0.1:9/signed-out');
    assert.equal(back.searchParams.get('state'), 'bye');
    const mine = await browser.request('GET', `${stack.appUrl}/requests`);
    assert.equal(mine.status, 303, 'signed out of Passerelle too');
  });
});

describe('codes and tokens in the wrong hands', () => {
  test('a replayed code is refused, and the tokens of its first exchange stop working', async () => {
    const client = await app('Replay App');
    await grant(paulaId, ['Replay App']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    await rp.signIn(browser); // consent given once, so the next sign-in runs straight through
    const checks = await rp.start();
    const step = await rp.browse(browser, checks.url);
    assert.ok('callback' in step);
    const first = await rp.exchange(step.callback, checks);
    assert.equal((await userinfoStatus(rp, first.access_token)).status, 200);

    const replay = await rp.exchange(step.callback, checks).then(
      () => assert.fail('the code was taken twice'),
      (e: unknown) => e as { error?: string },
    );
    assert.equal(replay.error, 'invalid_grant');
    assert.equal((await userinfoStatus(rp, first.access_token)).status, 401);
    assert.equal(await refreshError(rp, first.refresh_token!), 'invalid_grant');
  });

  test('a code replayed at the same moment: one exchange gets tokens, the others invalid_grant, and the tokens stop working', async () => {
    const client = await app('Race App');
    await grant(paulaId, ['Race App']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    await rp.signIn(browser);
    const checks = await rp.start();
    const step = await rp.browse(browser, checks.url);
    assert.ok('callback' in step);
    const exchanges = await Promise.allSettled([1, 2, 3, 4].map(() => rp.exchange(step.callback, checks)));
    const won = exchanges.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = exchanges.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { error?: string }).error] : []));
    assert.equal(won.length, 1, `one code, one set of tokens (got ${won.length})`);
    assert.deepEqual(lost, ['invalid_grant', 'invalid_grant', 'invalid_grant']);
    // The replays were seen: what the code gave is revoked, as after a replay one after the other.
    assert.equal((await userinfoStatus(rp, won[0].access_token)).status, 401);
    assert.equal(await refreshError(rp, won[0].refresh_token!), 'invalid_grant');
  });

  test('app A’s access token answers A’s subject and groups only; A’s refresh token is no use to app B', async () => {
    const a = await app('Atlas Board', { visibleGroups: ['Project Atlas'] });
    const b = await app('Review Board', { visibleGroups: ['Quality Reviews'] });
    await grant(paulaId, ['Atlas Board', 'Review Board', 'Project Atlas', 'Quality Reviews']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rpA = await relyingParty(stack.appUrl, a);
    const rpB = await relyingParty(stack.appUrl, b);
    const tokensA = await rpA.signIn(browser);
    const tokensB = await rpB.signIn(browser);
    const subA = tokensA.claims()!.sub;
    const subB = tokensB.claims()!.sub;
    assert.notEqual(subA, subB, 'pairwise: the same person has a different sub at each app');

    // Presented by anyone (here, through B's configuration), A's token speaks of A only.
    const info = await userinfoStatus(rpB, tokensA.access_token);
    assert.equal(info.status, 200);
    assert.equal(info.body?.sub, subA);
    assert.deepEqual(info.body?.groups, ['Project Atlas']);
    const infoB = await userinfoStatus(rpB, tokensB.access_token);
    assert.equal(infoB.body?.sub, subB);
    assert.deepEqual(infoB.body?.groups, ['Quality Reviews']);

    assert.equal(await refreshError(rpB, tokensA.refresh_token!), 'invalid_grant');
    // A's own client may still use it: the refusal was about who presented it.
    const refreshed = await oidc.refreshTokenGrant(rpA.config, tokensA.refresh_token!);
    assert.equal(refreshed.claims()?.sub, subA);
  });

  test('a forged state: Passerelle echoes the state it was given, and the app refuses a callback whose state differs', async () => {
    const client = await app('State App');
    await grant(paulaId, ['State App']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    await rp.signIn(browser);
    const state = 'st/ate+with=odd&chars é';
    const checks = { ...(await rp.start({ state })), state };
    const step = await rp.browse(browser, checks.url);
    assert.ok('callback' in step);
    assert.equal(step.callback.searchParams.get('state'), state, 'echoed unchanged');

    const forged = new URL(step.callback);
    forged.searchParams.set('state', 'forged-by-an-attacker');
    await assert.rejects(rp.exchange(forged, checks), stateRefused);
    await assert.rejects(rp.exchange(step.callback, { ...checks, state: 'what-the-app-kept-elsewhere' }), stateRefused);
    // The state check alone stopped it: the same code with the right state is taken.
    const tokens = await rp.exchange(step.callback, checks);
    assert.equal(tokens.claims()!.email, 'paula@acme.test');
  });
});

/**
 * Follows an authorization request as a browser does, also through the page oidc-provider posts
 * from itself (its script submits the form; Passerelle's CSP lets that script run by its hash), and
 * answers the consent page with "allow"; stops at the app's callback or at another page.
 */
async function browseLikeABrowser(rp: RelyingParty, browser: Browser, url: URL): Promise<{ callback: URL } | { page: Page }> {
  let page = await browser.request('GET', url.toString());
  for (let hop = 0; hop < 20; hop++) {
    const selfPosting = /<title>Submitting Callback<\/title>/.test(page.text) && /<form method="post" action="([^"]+)">/.exec(page.text);
    const consent = /\/app-sign-in\/[^/]+$/.test(new URL(page.url).pathname) && /name="decision"/.test(page.text);
    const refresh = /^0\s*;\s*url=(.+)$/i.exec(String(page.headers.refresh ?? ''))?.[1];
    const location = [301, 302, 303].includes(page.status) ? String(page.headers.location) : refresh;
    if (selfPosting) {
      const fields = Object.fromEntries([...page.text.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      page = await browser.request('POST', selfPosting[1].replace(/&amp;/g, '&'), fields);
    } else if (consent) {
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      page = await browser.request('POST', `${page.url}/consent`, { _csrf: csrf, decision: 'allow' });
    } else if (location) {
      const next = new URL(location, page.url);
      if (next.toString().startsWith(rp.redirectUri)) return { callback: next };
      page = await browser.request('GET', next.toString());
    } else {
      return { page };
    }
  }
  throw new Error(`too many hops from ${url}`);
}

describe('one browser, two people', () => {
  test('after Paula signs out of Passerelle and Ada signs in, the app’s next sign-in is Ada’s, and Ada stays signed in', async () => {
    const client = await app('Shared Desk', { allow_members: true });
    await grant(paulaId, ['Shared Desk']);
    const browser = await signedIn('acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, client);
    const paulas = (await rp.signIn(browser)).claims()!;
    assert.equal(paulas.email, 'paula@acme.test');

    const requests = await browser.go(`${stack.appUrl}/requests`);
    const out = await browser.request('POST', `${stack.appUrl}/auth/logout`, { _csrf: /name="_csrf" value="([^"]+)"/.exec(requests.text)![1] });
    assert.equal(out.status, 303);
    const ada = await browser.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    assert.equal(ada.status, 200);

    // The provider's session still names Paula: it ends that session and goes on with Ada's.
    const checks = await rp.start();
    const step = await browseLikeABrowser(rp, browser, checks.url);
    assert.ok('callback' in step, `reached the app: ${'page' in step ? `${step.page.status} at ${step.page.url}: ${step.page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}` : ''}`);
    const adas = (await rp.exchange(step.callback, checks)).claims()!;
    assert.equal(adas.email, 'ada.admin@passerelle.test');
    assert.equal(adas.user_type, 'member');
    assert.notEqual(adas.sub, paulas.sub);
    const inbox = await browser.request('GET', `${stack.appUrl}/inbox`);
    assert.equal(inbox.status, 200, 'Ada is still signed in to Passerelle');
  });
});

describe('consent', () => {
  test('the first sign-in asks, naming the app and what it receives; declining tells the app access_denied; allowing is remembered', async () => {
    const client = await app('Consent App', { claims: ['email', 'name', 'groups'] });
    await grant(paulaId, ['Consent App']);
    const rp = await relyingParty(stack.appUrl, client);

    const first = await signedIn('acme', 'paula@acme.test');
    const declined = await rp.start();
    const ask = await stoppedAt(rp, first, declined.url);
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Consent App would like to know who you are/);
    assert.match(ask.text, /Your e-mail address/);
    assert.match(ask.text, /Your name/);
    assert.match(ask.text, /The groups you belong to that this application may see/);
    assert.ok(!ask.text.includes('The organization you signed in with'), 'a claim the app may not receive is not listed');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(ask.text)![1];
    const no = await first.request('POST', `${ask.url}/consent`, { _csrf: csrf, decision: 'deny' });
    const back = await rp.browse(first, new URL(/^0\s*;\s*url=(.+)$/i.exec(String(no.headers.refresh))![1], no.url));
    assert.ok('callback' in back, 'declining goes back to the app');
    assert.equal(back.callback.searchParams.get('error'), 'access_denied');
    assert.equal(back.callback.searchParams.get('code'), null);
    assert.equal(back.callback.searchParams.get('state'), declined.state);
    assert.equal((await auditEvents(stack, { action: 'app.consent_given', target: `item:${client.itemId}` })).length, 0);

    // Asked again, she allows (rp.signIn answers the consent page).
    const again = await stoppedAt(rp, first, (await rp.start()).url);
    assert.match(again.text, /Consent App would like to know who you are/, 'a refusal is not remembered as consent');
    await rp.signIn(first);
    const given = await auditEvents(stack, { action: 'app.consent_given', target: `item:${client.itemId}` });
    assert.equal(given.length, 1);
    assert.deepEqual(JSON.parse(given[0].details).claims, ['email', 'name', 'groups']);

    // A new Passerelle session (another browser): straight through to the app, no question.
    const second = await signedIn('acme', 'paula@acme.test');
    const step = await rp.browse(second, (await rp.start()).url);
    assert.ok('callback' in step, `expected no consent page, got ${'page' in step ? step.page.text.slice(0, 300) : ''}`);
    assert.ok(step.callback.searchParams.get('code'));
  });
});
