import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { editIdpRow } from '../harness/rowEdits.ts';
import { auditEvent, auditEvents, idpRow } from '../harness/stored.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let initech: RunningIssuer;
const admin = new Browser();

before(async () => {
  stack = await startStack();
  // An organization whose IdP did not exist when the portal started.
  initech = await startDemoIssuer({
    key: 'initech',
    displayName: 'Initech',
    accounts: [{ sub: 'initech-ivy', email: 'ivy@initech.test', name: 'Ivy Initech', emailVerified: true, password: DEMO_PASSWORD }],
    clients: [{ clientId: 'passerelle-initech', clientSecret: 'initech-secret-0123456789', redirectUris: [`${stack.appUrl}/auth/initech/callback`] }],
  });
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await initech?.close();
  await stack?.stop();
});

const form = (over: Record<string, string> = {}) => ({
  name: 'Initech',
  slug: 'initech',
  kind: 'partner',
  issuer: initech.issuer,
  client_id: 'passerelle-initech',
  client_secret: 'initech-secret-0123456789',
  scopes: 'openid email profile',
  email_domains: 'initech.test',
  ...over,
});

describe('identity providers, managed in the browser', () => {
  test('bad input is answered per field and stores nothing', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/idps/new`);
    const res = await admin.submit(page, '/admin/idps', form({ issuer: 'not a url', slug: 'Bad Slug!', email_domains: 'acme.test', scopes: 'email' }));
    assert.equal(res.status, 400);
    assert.match(res.text, /Enter a full http\(s\) address/);
    assert.match(res.text, /Use 2 to 40 lower-case letters/);
    assert.match(res.text, /already belongs to another provider/);
    assert.match(res.text, /must include openid|include openid/);
    assert.doesNotMatch(res.text, /initech-secret/, 'the secret is not echoed back');
    assert.equal(await idpRow(stack, 'initech'), undefined);
  });

  test('a provider added at run time is used for sign-in at once, without a restart', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/idps/new`);
    const saved = await admin.submit(page, '/admin/idps', form());
    assert.equal(saved.status, 200);
    assert.match(saved.text, /Saved/);
    assert.match(saved.text, /Initech/);
    const ivy = new Browser();
    const home = await ivy.go(`${stack.appUrl}/`);
    assert.match(home.text, /Sign in with Initech/);
    const discovered = await ivy.submit(home, '/auth/discover', { email: 'ivy@initech.test' });
    assert.ok(discovered.url.startsWith(initech.issuer), `sent to ${discovered.url}`);
    const landed = await ivy.signIn(stack.appUrl, 'initech', 'ivy@initech.test');
    assert.equal(landed.status, 200);
    assert.match(landed.text, /Ivy Initech/);
    const event = await auditEvent(stack, { action: 'idp.created', target: 'idp:initech' });
    assert.ok(event);
    assert.match(event.details, /"client_secret":"\[changed\]"/);
    assert.doesNotMatch(event.details, /initech-secret/);
  });

  test('the secret is never shown back, and an empty secret on edit keeps it', async () => {
    const idp = await idpRow(stack, 'initech');
    const page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /initech-secret/);
    const saved = await admin.submit(page, `/admin/idps/${idp.id}`, form({ client_secret: '', name: 'Initech Corp' }));
    assert.equal(saved.status, 200);
    const after = await idpRow(stack, 'initech');
    assert.equal(after.client_secret, 'initech-secret-0123456789');
    assert.equal(after.name, 'Initech Corp');
  });

  test('"test connection" reports a working provider, a wrong path and an unreachable one in fixed words', async () => {
    const idp = await idpRow(stack, 'initech');
    let page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    let report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /Connection works/);
    assert.ok(await auditEvent(stack, { action: 'idp.tested', target: 'idp:initech', outcome: 'success' }), 'the test is audited');
    await editIdpRow(stack, 'initech', { issuer: `${initech.issuer}/x` });
    page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /cannot be used yet/);
    assert.match(report.text, /HTTP error 404 from http:\/\/127\.0\.0\.1:\d+\/x\/\.well-known\/openid-configuration/);
    await editIdpRow(stack, 'initech', { issuer: 'http://127.0.0.1:9' });
    report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /Could not connect to http:\/\/127\.0\.0\.1:9\/\.well-known\/openid-configuration/);
    assert.doesNotMatch(report.text, /ECONNREFUSED/);
    const failed = await auditEvents(stack, { action: 'idp.tested', target: 'idp:initech', outcome: 'failure' });
    assert.deepEqual(failed.map((e) => JSON.parse(e.details).failure), ['HTTP error 404', 'could not connect']);
    await editIdpRow(stack, 'initech', { issuer: initech.issuer });
  });

  test('a provider that names itself differently is reported as a mismatch, and its own words are not shown', async () => {
    const idp = await idpRow(stack, 'initech');
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: 'https://internal-secret.example', authorization_endpoint: 'x', token_endpoint: 'x', jwks_uri: 'x', note: 'PRIVATE-BODY' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      await editIdpRow(stack, 'initech', { issuer: url });
      const page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
      const report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
      assert.match(report.text, /Issuer mismatch: the discovery document at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration names a different issuer/);
      assert.doesNotMatch(report.text, /internal-secret|PRIVATE-BODY/);
    } finally {
      server.close();
      await editIdpRow(stack, 'initech', { issuer: initech.issuer });
    }
  });

  test('an issuer ending in "/" (as Auth0\'s do) is kept as typed, passes "test connection" and signs people in', async () => {
    const hooli = await startDemoIssuer({
      key: 'hooli',
      displayName: 'Hooli',
      accounts: [{ sub: 'hooli-hank', email: 'hank@hooli.test', name: 'Hank Hooli', emailVerified: true, password: DEMO_PASSWORD }],
      clients: [{ clientId: 'passerelle-hooli', clientSecret: 'hooli-secret-0123456789', redirectUris: [`${stack.appUrl}/auth/hooli/callback`] }],
    }, { trailingSlash: true });
    try {
      assert.match(hooli.issuer, /\/$/);
      const created = await admin.submit(await admin.go(`${stack.appUrl}/admin/idps/new`), '/admin/idps', form({
        name: 'Hooli', slug: 'hooli', issuer: hooli.issuer, client_id: 'passerelle-hooli', client_secret: 'hooli-secret-0123456789', email_domains: 'hooli.test',
      }));
      assert.equal(created.status, 200, created.text.slice(0, 300));
      const row = await idpRow(stack, 'hooli');
      assert.equal(row.issuer, hooli.issuer, 'stored exactly as typed');
      const report = await admin.submit(await admin.go(`${stack.appUrl}/admin/idps/${row.id}`), `/admin/idps/${row.id}/test`, {});
      assert.match(report.text, /Connection works/);
      assert.doesNotMatch(report.text, /cannot be used yet/);
      const hank = new Browser();
      const landed = await hank.signIn(stack.appUrl, 'hooli', 'hank@hooli.test');
      assert.equal(landed.status, 200, landed.text.slice(0, 300));
      assert.match(landed.text, /Hank Hooli/);

      // Without its slash, the same provider is not the same issuer (OIDC Discovery 4.3): the
      // admin is told so, and sign-in refuses it too.
      await admin.submit(await admin.go(`${stack.appUrl}/admin/idps/${row.id}`), `/admin/idps/${row.id}`, form({
        name: 'Hooli', slug: 'hooli', issuer: hooli.issuer.replace(/\/$/, ''), client_id: 'passerelle-hooli', client_secret: '', email_domains: 'hooli.test',
      }));
      const mismatch = await admin.submit(await admin.go(`${stack.appUrl}/admin/idps/${row.id}`), `/admin/idps/${row.id}/test`, {});
      assert.match(mismatch.text, /Issuer mismatch/);
      assert.equal((await new Browser().go(`${stack.appUrl}/auth/hooli`)).status, 503);
    } finally {
      await editIdpRow(stack, 'hooli', { enabled: false });
      await hooli.close();
    }
  });

  test('a disabled provider disappears from the home page and its sign-in answers 404', async () => {
    const idp = await idpRow(stack, 'initech');
    const list = await admin.go(`${stack.appUrl}/admin/idps`);
    const res = await admin.submit(list, `/admin/idps/${idp.id}/enabled`, { enabled: 'false' });
    assert.equal(res.status, 200);
    const home = await new Browser().go(`${stack.appUrl}/`);
    assert.doesNotMatch(home.text, /Sign in with Initech/);
    assert.equal((await new Browser().go(`${stack.appUrl}/auth/initech`)).status, 404);
    assert.ok(await auditEvent(stack, { action: 'idp.disabled', target: 'idp:initech' }));
  });

  test('a partner and a sponsor on an admin page get 403, audited', async () => {
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.equal((await paula.go(`${stack.appUrl}/admin/idps`)).status, 403);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal((await sam.go(`${stack.appUrl}/admin/idps`)).status, 403);
    const page = await sam.go(`${stack.appUrl}/inbox`);
    const post = await sam.submit(page, '/admin/idps', form({ slug: 'sneaky', email_domains: 'sneaky.test' }));
    assert.equal(post.status, 403);
    assert.equal(await idpRow(stack, 'sneaky'), undefined);
    const denied = await auditEvents(stack, { action: 'admin:manage', outcome: 'denied' });
    assert.ok(denied.length >= 3);
  });
});
