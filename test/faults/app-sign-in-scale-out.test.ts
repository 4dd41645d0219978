// Scale-out of the applications' OpenID Provider: two web processes on one PostgreSQL database, as
// behind a load balancer that sends each request wherever it likes. The app's sign-in runs on web A,
// the code exchange and userinfo on web B, a refresh on A again: each process answers for what the
// other issued, because grants, sessions, codes, tokens and signing keys live in the database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { startStack, isPostgres, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest } from '../harness/factories.ts';
import { relyingParty, type RelyingParty } from '../harness/relyingParty.ts';
import { startWebProcess, type Proc } from '../harness/processes.ts';
import { freePort } from '../../src/demo/net.ts';

const skip = isPostgres()
  ? false
  : 'several web processes share one PostgreSQL database; set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it';

let stack: Stack;
let A = ''; // web A: the stack's PORT, = PUBLIC_URL (the issuer), where the IdPs call back
let B = ''; // web B: another port, same PUBLIC_URL
const procs: Proc[] = [];
let client: { clientId: string; secret: string | null };

before(async () => {
  if (skip) return;
  stack = await startStack({ web: false, worker: false });
  const portB = await freePort();
  A = stack.appUrl;
  B = `http://127.0.0.1:${portB}`;
  procs.push(...(await Promise.all([startWebProcess(stack.env), startWebProcess({ ...stack.env, PORT: String(portB) })])));
  await buildCatalogItem(stack, { kind: 'app', name: 'Scaled App' });
  client = await buildAppClient(stack, { item: 'Scaled App', visibleGroups: ['Project Atlas'] });
  await buildGuest(stack, {
    email: 'paula@acme.test',
    name: 'Paula Partner',
    identity: { idp: 'acme', subject: 'acme-paula' },
    memberships: ['Scaled App', 'Project Atlas'],
  });
});
after(async () => {
  for (const p of procs) await p.kill('SIGTERM');
  await stack?.stop();
});

/**
 * The app's back-channel calls to these endpoints go to `web` (the load balancer's choice); the
 * rest (discovery, the JWKS, the browser's hops) to A. Returns the URLs it sent there.
 */
function routeTo(rp: RelyingParty, web: string, endpoints: ('token_endpoint' | 'userinfo_endpoint')[]): string[] {
  const meta = rp.config.serverMetadata();
  const moved = endpoints.map((e) => meta[e]!);
  const sent: string[] = [];
  rp.config[oidc.customFetch] = (url, options) => {
    const routed = moved.some((m) => url.startsWith(m));
    const target = routed ? web + url.slice(A.length) : url;
    if (routed) sent.push(target);
    return fetch(target, options as RequestInit);
  };
  return sent;
}

test('an app signs in on A, exchanges the code and asks userinfo on B, refreshes on A', { skip }, async () => {
  const browser = new Browser();
  const landing = await browser.signIn(A, 'acme', 'paula@acme.test');
  assert.equal(landing.status, 200, `signed in to Passerelle on A: ${landing.url}`);
  const rp = await relyingParty(A, client);
  assert.equal(rp.config.serverMetadata().issuer, `${A}/oidc`);

  // The authorization request, Passerelle's consent page and the code, all on A.
  const checks = await rp.start();
  let step = await rp.browse(browser, checks.url);
  if ('page' in step && /name="decision"/.test(step.page.text)) {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(step.page.text)![1];
    const answer = await browser.request('POST', `${step.page.url}/consent`, { _csrf: csrf, decision: 'allow' });
    step = await rp.browse(browser, new URL(/^0\s*;\s*url=(.+)$/i.exec(String(answer.headers.refresh))![1], answer.url));
  }
  assert.ok('callback' in step, `A issued a code: ${'page' in step ? `${step.page.status} ${step.page.text.slice(0, 300)}` : ''}`);
  assert.ok(step.callback.searchParams.get('code'));

  // The code exchange and userinfo on B, which never saw this sign-in.
  const onB = routeTo(rp, B, ['token_endpoint', 'userinfo_endpoint']);
  const tokens = await rp.exchange(step.callback, checks);
  const claims = tokens.claims()!;
  assert.equal(claims.email, 'paula@acme.test');
  assert.deepEqual(claims.groups, ['Project Atlas']);
  const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
  assert.equal(info.name, 'Paula Partner');
  assert.deepEqual(info.groups, ['Project Atlas']);
  assert.deepEqual(onB.map((u) => new URL(u).origin), [B, B], 'the token and userinfo requests went to B');
  // B signed the ID token with the key A publishes: the keys are shared too.
  const jwks = (await (await fetch(`${A}/oidc/jwks`)).json()) as JSONWebKeySet;
  await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks), { issuer: `${A}/oidc`, audience: client.clientId });

  // A refresh on A of what B issued, then userinfo on B with the access token A issued.
  const onA = routeTo(rp, A, ['token_endpoint']);
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  assert.equal(refreshed.claims()?.sub, claims.sub);
  assert.deepEqual(onA.map((u) => new URL(u).origin), [A]);
  routeTo(rp, B, ['userinfo_endpoint']);
  const again = await oidc.fetchUserInfo(rp.config, refreshed.access_token, claims.sub);
  assert.equal(again.email, 'paula@acme.test');
});
