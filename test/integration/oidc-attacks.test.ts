// Attacks on the OpenID Connect relying party (issue 5, ASVS 5.0 V10 OAuth and OIDC): tampered and
// replayed callbacks, codes from another sign-in or another IdP, ID tokens for another audience, an
// IdP whose clock is off, a forged Host header, an IdP asserting someone else's e-mail, and one
// account hammered from many addresses. Every IdP here is a real oidc-provider issuer; the app is the
// real one. A refused sign-in must answer a clear page, audit a failure and sign nobody in.
// (`returnTo=//evil.example` is proven in refusals.test.ts, "returnTo pointing to another site is ignored".)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, redeemLink } from '../harness/browser.ts';
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { callbackFrom, startSignIn, untilCallback, withParams } from '../harness/oidcHops.ts';
import { tamperAudience, type Audience } from '../harness/tamperedAudience.ts';
import { startSkewedIssuer, type SkewedIssuer } from '../harness/skewedIssuer.ts';
import { buildIdentityProvider } from '../harness/factories.ts';
import { auditEvents, guestByEmail, identitiesOf, identitiesWithSubject, userByEmail } from '../harness/stored.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';
import { loadConfig } from '../../src/config.ts';
import { startWeb, type WebHandle } from '../../src/web/server.ts';
import { createLogger } from '../../src/log.ts';

let stack: Stack;
let umbrella: RunningIssuer;
let skewed: SkewedIssuer;
/** What the Umbrella issuer writes into `aud` (and `azp`) of its next ID tokens; null: the truth. */
let audience: Audience = null;

const UMBRELLA_CLIENT = { clientId: 'passerelle-umbrella', clientSecret: 'umbrella-secret-0123456789abcdef' };
const SKEWED_CLIENT = { clientId: 'passerelle-skewed', clientSecret: 'skewed-secret-0123456789abcdef' };

before(async () => {
  stack = await startStack();
  [umbrella, skewed] = await Promise.all([
    // A partner IdP that vouches for an address at someone else's domain: Mallory's account says she
    // is paula@acme.test, verified. Una is an ordinary account, for the audience checks.
    startDemoIssuer({
      key: 'umbrella',
      displayName: 'Umbrella',
      accounts: [
        { sub: 'umbrella-mallory', email: 'paula@acme.test', emailVerified: true, name: 'Mallory Mimic', password: DEMO_PASSWORD },
        { sub: 'umbrella-una', email: 'una@umbrella.test', emailVerified: true, name: 'Una Umbrella', password: DEMO_PASSWORD },
        { sub: 'umbrella-mimic-pete', email: 'pete@acme.test', emailVerified: true, name: 'Mallory as Pete', password: DEMO_PASSWORD },
      ],
      clients: [{ ...UMBRELLA_CLIENT, redirectUris: [`${stack.appUrl}/auth/umbrella/callback`] }],
    }),
    startSkewedIssuer({
      key: 'skewed',
      displayName: 'Skewed Systems',
      accounts: [{ sub: 'skewed-sky', email: 'sky@skewed.test', emailVerified: true, name: 'Sky Skewed', password: DEMO_PASSWORD }],
      clients: [{ ...SKEWED_CLIENT, redirectUris: [`${stack.appUrl}/auth/skewed/callback`] }],
    }),
  ]);
  tamperAudience(umbrella, () => audience);
  await buildIdentityProvider(stack, { slug: 'umbrella', name: 'Umbrella', issuer: umbrella.issuer, client: UMBRELLA_CLIENT, emailDomains: ['umbrella.test'] });
  await buildIdentityProvider(stack, { slug: 'skewed', name: 'Skewed Systems', issuer: skewed.issuer, client: SKEWED_CLIENT, emailDomains: ['skewed.test'] });
});
after(async () => {
  await skewed?.close();
  await umbrella?.close();
  await stack?.stop();
});

const failedSignIns = async () => auditEvents(stack, { action: 'auth.sign_in', outcome: 'failure' });
const signedInEvents = async (actorId: string) => auditEvents(stack, { action: 'auth.signed_in', actor_id: actorId });

/** Not signed in: a page for signed-in people sends this browser to the home page. */
async function assertAnonymous(b: Browser): Promise<void> {
  const page = await b.request('GET', `${stack.appUrl}/requests`);
  assert.equal(page.status, 303, `expected no session, got ${page.status}: ${page.text.slice(0, 200)}`);
  assert.equal(page.headers.location, '/?signIn=1');
}

/**
 * Delivers a callback that must be refused: 401 and the sign-in failure page, one more failed
 * sign-in in the audit log (whose error matches `why`), and no session in this browser.
 */
async function assertRefused(b: Browser, callback: string, why: RegExp): Promise<void> {
  const before = (await failedSignIns()).length;
  const page = await b.request('GET', callback);
  assert.equal(page.status, 401, `expected a refusal, got ${page.status} ${String(page.headers.location ?? '')}: ${page.text.slice(0, 300)}`);
  assert.match(page.text, /Sign-in did not complete/);
  const failures = await failedSignIns();
  assert.equal(failures.length, before + 1, 'one failed sign-in audited');
  const error = String(JSON.parse(failures.at(-1).details).error);
  assert.match(error, why);
  await assertAnonymous(b);
}

/** Delivers a callback that must work: to the landing page, signed in. */
async function assertSignedIn(b: Browser, callback: string, name: RegExp): Promise<void> {
  const page = await b.request('GET', callback);
  assert.equal(page.status, 303, `expected a sign-in, got ${page.status}: ${page.text.slice(0, 500)}`);
  const landing = await b.go(new URL(String(page.headers.location), stack.appUrl).toString());
  assert.equal(landing.status, 200);
  assert.match(landing.text, name);
}

describe('state, code and PKCE', () => {
  test('the untampered hops sign in (the baseline every refusal below differs from by one thing)', async () => {
    const b = new Browser();
    const { authUrl, callback } = await untilCallback(b, stack.appUrl, 'acme', 'pete@acme.test');
    assert.ok(authUrl.searchParams.get('state') && authUrl.searchParams.get('nonce'), 'state and nonce are sent');
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(callback.searchParams.get('state'), authUrl.searchParams.get('state'));
    await assertSignedIn(b, callback.toString(), /Pete Peer/);
  });

  test('a callback whose state is missing or wrong is refused, although its code is genuine', async () => {
    const missing = new Browser();
    const one = await untilCallback(missing, stack.appUrl, 'acme', 'pete@acme.test');
    await assertRefused(missing, withParams(one.callback, { state: null }), /"state" missing/);

    const wrong = new Browser();
    const two = await untilCallback(wrong, stack.appUrl, 'acme', 'pete@acme.test');
    await assertRefused(wrong, withParams(two.callback, { state: 'attacker-chosen-state' }), /unexpected "state"/);
  });

  test('a replayed callback is refused: in the same browser, in another one, and with that one\'s own state', async () => {
    const victim = new Browser();
    const { callback } = await untilCallback(victim, stack.appUrl, 'acme', 'pete@acme.test');
    await assertSignedIn(victim, callback.toString(), /Pete Peer/);

    // The same URL again (back button, a leaked Referer or log line): refused and audited; the
    // browser keeps the session it already had.
    const before = (await failedSignIns()).length;
    const again = await victim.request('GET', callback.toString());
    assert.equal(again.status, 401);
    assert.match(again.text, /Sign-in did not complete/);
    assert.equal((await failedSignIns()).length, before + 1);

    // Someone who found the URL and never started a sign-in.
    await assertRefused(new Browser(), callback.toString(), /verify authorization request state/);

    // Someone who started their own sign-in, and swaps their state in: the IdP refuses the spent code.
    const attacker = new Browser();
    const own = await startSignIn(attacker, stack.appUrl, 'acme');
    await assertRefused(attacker, withParams(callback, { state: own.searchParams.get('state') }), /invalid_grant/);
  });

  test('a code from another sign-in, injected into a sign-in with its own state, fails on PKCE', async () => {
    // The victim's browser started a sign-in; the attacker signed in at Acme as Pete in their own.
    const victim = new Browser();
    const victimStart = await startSignIn(victim, stack.appUrl, 'acme');
    const attacker = new Browser();
    const { callback } = await untilCallback(attacker, stack.appUrl, 'acme', 'pete@acme.test');
    // The attacker's code arrives at the victim's callback with the victim's own state: the state
    // check passes, the code goes to Acme with the victim's PKCE verifier, and Acme refuses it.
    const injected = withParams(callback, { state: victimStart.searchParams.get('state') });
    await assertRefused(victim, injected, /invalid_grant/);
  });
});

describe('mix-up: a response from one IdP delivered to another IdP\'s callback', () => {
  /** One browser that started at Acme and holds a code from Globex (for Gary) for the same moment. */
  async function mixedUp() {
    const b = new Browser();
    const acmeStart = await startSignIn(b, stack.appUrl, 'acme');
    const { callback: globex } = await untilCallback(b, stack.appUrl, 'globex', 'gary@globex.test');
    assert.equal(globex.searchParams.get('iss'), stack.issuers.globex.issuer, 'Globex names itself in its response (RFC 9207)');
    return { b, acmeState: acmeStart.searchParams.get('state')!, globex };
  }
  const acmeCallback = (globex: URL, params: Record<string, string | null>) =>
    withParams(new URL(`${stack.appUrl}/auth/acme/callback${globex.search}`), params);

  test('Globex\'s whole response at the Acme callback is refused', async () => {
    const { b, globex } = await mixedUp();
    await assertRefused(b, acmeCallback(globex, {}), /unexpected "iss"/);
  });

  test('Globex\'s code with Acme\'s state is refused: the response names Globex as its issuer', async () => {
    const { b, acmeState, globex } = await mixedUp();
    await assertRefused(b, acmeCallback(globex, { state: acmeState }), /unexpected "iss"/);
  });

  test('Globex\'s code with Acme\'s state and a forged issuer is refused: Acme does not know the code', async () => {
    const { b, acmeState, globex } = await mixedUp();
    await assertRefused(b, acmeCallback(globex, { state: acmeState, iss: stack.issuers.acme.issuer }), /invalid_grant/);
    assert.equal((await identitiesWithSubject(stack, 'globex-gary')).length, 0);
  });
});

describe('ID token audience', () => {
  // The ID token is minted when the app redeems the code, i.e. while the callback is delivered.
  const asUna = async (aud: Audience, deliver: (b: Browser, callback: string) => Promise<unknown>) => {
    const b = new Browser();
    const { callback } = await untilCallback(b, stack.appUrl, 'umbrella', 'una@umbrella.test');
    audience = aud;
    try {
      await deliver(b, callback.toString());
    } finally {
      audience = null;
    }
  };

  test('the issuer\'s untampered ID token signs in (baseline)', async () => {
    await asUna(null, (b, callback) => assertSignedIn(b, callback, /Una Umbrella/));
  });

  test('an ID token for another client is refused', async () => {
    await asUna({ aud: 'some-other-client' }, (b, callback) => assertRefused(b, callback, /unexpected JWT "aud"/));
  });

  test('an ID token for us and another audience, without azp, is refused', async () => {
    await asUna({ aud: [UMBRELLA_CLIENT.clientId, 'some-other-client'] }, (b, callback) => assertRefused(b, callback, /additional untrusted audiences/));
  });

  test('an ID token for several audiences whose azp is another client is refused', async () => {
    await asUna({ aud: [UMBRELLA_CLIENT.clientId, 'some-other-client'], azp: 'some-other-client' }, (b, callback) => assertRefused(b, callback, /unexpected ID Token "azp"/));
  });
});

describe('the IdP\'s clock (leeway OIDC_CLOCK_TOLERANCE_SECONDS, 120 s by default)', () => {
  // The skewed issuer signs one-minute ID tokens carrying nbf, on its own clock: 90 s ahead puts nbf
  // 90 s in our future, 90 s behind puts exp 30 s in our past. openid-client's own default leeway
  // (30 s) refuses both; the configured 120 s accepts both, and nothing far beyond.
  const signInAsSky = async (clockOffsetSeconds: number, idTokenTtlSeconds = 60) => {
    const idpNow = await skewed.configure({ clockOffsetSeconds, idTokenTtlSeconds });
    assert.ok(Math.abs(idpNow - Date.now() - clockOffsetSeconds * 1000) < 2000, `the IdP's clock is off by ${(idpNow - Date.now()) / 1000} s`);
    const b = new Browser();
    const { callback } = await untilCallback(b, stack.appUrl, 'skewed', 'sky@skewed.test');
    return { b, callback: callback.toString() };
  };
  after(async () => skewed?.configure({ clockOffsetSeconds: 0, idTokenTtlSeconds: 60 }));

  test('an IdP whose clock is 90 s ahead: sign-in works', async () => {
    const { b, callback } = await signInAsSky(90);
    await assertSignedIn(b, callback, /Sky Skewed/);
  });

  test('an IdP whose clock is 90 s behind: sign-in works', async () => {
    const { b, callback } = await signInAsSky(-90);
    await assertSignedIn(b, callback, /Sky Skewed/);
  });

  test('an IdP whose clock is 10 minutes ahead: refused (the token is not valid yet)', async () => {
    const { b, callback } = await signInAsSky(600);
    await assertRefused(b, callback, /"nbf" \(not before\)/);
  });

  test('an IdP whose clock is 10 minutes behind: refused (the token has expired)', async () => {
    const { b, callback } = await signInAsSky(-600);
    await assertRefused(b, callback, /"exp" \(expiration time\)/);
  });

  test('an expired ID token from an IdP whose clock is right is refused', async () => {
    // Signed now, expired five minutes ago: only exp is wrong.
    const { b, callback } = await signInAsSky(0, -300);
    await assertRefused(b, callback, /"exp" \(expiration time\)/);
  });
});

describe('addresses come from PUBLIC_URL, never from the Host header', () => {
  test('a sign-in driven with "Host: evil.example" sends the configured callback to the IdP and lands on our own path', async () => {
    const app = supertest(stack.appUrl);
    const start = await app.get('/auth/acme').set('Host', 'evil.example').redirects(0);
    assert.equal(start.status, 302);
    const authUrl = new URL(start.headers.location);
    assert.equal(authUrl.origin, stack.issuers.acme.issuer);
    assert.equal(authUrl.searchParams.get('redirect_uri'), `${stack.appUrl}/auth/acme/callback`);
    const session = ([] as string[]).concat(start.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');

    const callback = await callbackFrom(new Browser(), authUrl, 'pete@acme.test');
    assert.equal(callback.origin, stack.appUrl);
    const done = await app.get(callback.pathname + callback.search).set('Host', 'evil.example').set('Cookie', session).redirects(0);
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal(done.headers.location, '/requests', 'a path on whatever origin the browser is on, never another host');
    const signedIn = ([] as string[]).concat(done.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const page = await app.get('/requests').set('Cookie', signedIn);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /evil\.example/);
  });
});

describe('identity is (issuer, subject), never the e-mail address', () => {
  let paulaRequest = 0;
  before(async () => {
    // Paula of Acme becomes a guest with "Partner Wiki", bound to her Acme identity.
    const paula = new Browser();
    paulaRequest = (await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki'])).id;
    await waitUntilRouted(stack, paulaRequest);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal((await decide(stack, sam, paulaRequest, 'approve')).status, 200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    await paula.go(redeemLink(mail.text));
    const review = await paula.go(`${stack.appUrl}/redeem`);
    assert.equal((await paula.submit(review, '/redeem', {})).status, 200);
    assert.match((await paula.go(`${stack.appUrl}/access`)).text, /Partner Wiki/);
  });

  test('another IdP asserting Paula\'s verified address reaches none of Paula\'s things', async () => {
    const mallory = new Browser();
    const landed = await mallory.signIn(stack.appUrl, 'umbrella', 'paula@acme.test');
    // Signed in as herself, told she cannot ask with an address her IdP is no authority for.
    assert.equal(landed.status, 403, landed.text.slice(0, 300));
    assert.match(landed.text, /Mallory Mimic/);

    const access = await mallory.go(`${stack.appUrl}/access`);
    assert.equal(access.status, 200);
    assert.doesNotMatch(access.text, /Partner Wiki/, 'not Paula\'s apps');
    const requests = await mallory.go(`${stack.appUrl}/requests`);
    assert.doesNotMatch(requests.text, new RegExp(`/requests/${paulaRequest}\\b`), 'not Paula\'s requests');
    const paulas = await mallory.go(`${stack.appUrl}/requests/${paulaRequest}`);
    assert.equal(paulas.status, 404);

    const paula = await userByEmail(stack, 'paula@acme.test');
    const identities = await identitiesOf(stack, paula.id);
    assert.deepEqual(identities.map((i) => [i.issuer, i.subject]), [[stack.issuers.acme.issuer, 'acme-paula']], 'no identity added to Paula');
    const [event] = await signedInEvents(`${umbrella.issuer}|umbrella-mallory`);
    assert.ok(event, 'the sign-in is audited under Mallory\'s own identity');
    assert.equal(event.target, null, 'and reaches no user');
    assert.equal(JSON.parse(event.details).emailVerified, false, 'Umbrella does not vouch for acme.test addresses');
  });

  test('a leaked invitation link for an Acme address cannot be redeemed through another IdP', async () => {
    const petes = await submitAsPartner(stack, new Browser(), 'acme', 'pete@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, petes.id);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal((await decide(stack, sam, petes.id, 'approve')).status, 200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject));
    const mallory = new Browser();
    await mallory.go(redeemLink(mail.text));
    await mallory.signIn(stack.appUrl, 'umbrella', 'pete@acme.test');
    const review = await mallory.go(`${stack.appUrl}/redeem`);
    assert.equal(review.status, 403);
    const post = await mallory.submit(await mallory.go(`${stack.appUrl}/`), '/redeem', {});
    assert.equal(post.status, 403);
    const pete = await guestByEmail(stack, 'pete@acme.test');
    assert.deepEqual(await identitiesOf(stack, pete.id), [], 'nobody was bound to Pete');
    assert.equal((await stack.db('invitations').where({ user_id: pete.id }).first()).status, 'pending');
  });
});

describe('behind a proxy (TRUST_PROXY), five sign-ins a minute per client and per account', () => {
  // A second web process on the same database and PUBLIC_URL, trusting the proxy headers of
  // 127.0.0.1, with its own Redis prefix so the counts above do not mix in.
  let web: WebHandle;
  const prefix = 'ptest-account';
  before(async () => {
    const config = loadConfig({ ...stack.env, PORT: '0', TRUST_PROXY: 'loopback', REDIS_PREFIX: prefix, RATE_LIMIT_SIGNIN_PER_MINUTE: '5' });
    web = await startWeb({ config, db: stack.db }, createLogger('silent', 'account-limit'));
  });
  after(async () => web?.close());

  /** A fresh client at `address` opens the home page and types `email` into the sign-in form. */
  async function discoverFrom(address: string, email: string) {
    const agent = supertest.agent(web.url);
    const home = await agent.get('/').set('X-Forwarded-For', address);
    return agent.post('/auth/discover').set('X-Forwarded-For', address).type('form').send({ _csrf: csrfToken(home.text)!, email }).redirects(0);
  }

  test('a forwarded host from the trusted proxy does not change the callback sent to the IdP either', async () => {
    const res = await supertest(web.url).get('/auth/acme')
      .set('X-Forwarded-For', '192.0.2.1').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https').redirects(0);
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.location).searchParams.get('redirect_uri'), `${stack.appUrl}/auth/acme/callback`);
  });

  test('one address typed from many clients is stopped after the limit; other addresses are not', async () => {
    // Five clients, one attempt each, the same account however it is typed.
    const spellings = ['pete@acme.test', ' Pete@ACME.test ', 'PETE@acme.test', 'pete@acme.test ', 'pete@Acme.Test'];
    for (const [i, email] of spellings.entries()) {
      const res = await discoverFrom(`198.51.100.${i + 1}`, email);
      assert.equal(res.status, 200, `attempt ${i + 1}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.refresh, '0;url=/auth/acme');
    }
    // A sixth and a seventh client, never seen before: refused, because of the account.
    for (const address of ['198.51.100.6', '198.51.100.7']) {
      const res = await discoverFrom(address, 'pete@acme.test');
      assert.equal(res.status, 429);
      assert.match(res.text, /Too many attempts/);
      assert.equal(res.headers.refresh, undefined, 'not sent to the IdP');
    }
    // Another account from another client is not affected.
    const paula = await discoverFrom('198.51.100.8', 'paula@acme.test');
    assert.equal(paula.headers.refresh, '0;url=/auth/acme');

    const refusals = await auditEvents(stack, { action: 'auth.sign_in', outcome: 'denied', target: 'email:pete@acme.test' });
    assert.equal(refusals.length, 1, 'the first refusal of the window is audited, not every one');
    assert.equal(refusals[0].ip, '198.51.100.6');
    assert.match(refusals[0].details, /rate limit per account/);

    // Redis holds a hash of each address, never the address.
    const redis = createClient({ url: stack.redis.url });
    await redis.connect();
    try {
      const keys = (await redis.keys(`${prefix}:rl:signin-account:*`)).sort();
      const hashed = (email: string) => `${prefix}:rl:signin-account:${createHash('sha256').update(email).digest('base64url')}`;
      assert.deepEqual(keys, [hashed('paula@acme.test'), hashed('pete@acme.test')].sort());
      assert.equal(await redis.get(hashed('pete@acme.test')), '7');
    } finally {
      await redis.quit();
    }
  });
});
