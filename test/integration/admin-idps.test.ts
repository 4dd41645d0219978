import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
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
    assert.equal(await stack.db('identity_providers').where({ slug: 'initech' }).first(), undefined);
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
    const event = await stack.db('audit_events').where({ action: 'idp.created', target: 'idp:initech' }).first();
    assert.ok(event);
    assert.match(event.details, /"client_secret":"\[changed\]"/);
    assert.doesNotMatch(event.details, /initech-secret/);
  });

  test('the secret is never shown back, and an empty secret on edit keeps it', async () => {
    const idp = await stack.db('identity_providers').where({ slug: 'initech' }).first();
    const page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /initech-secret/);
    const saved = await admin.submit(page, `/admin/idps/${idp.id}`, form({ client_secret: '', name: 'Initech Corp' }));
    assert.equal(saved.status, 200);
    const after = await stack.db('identity_providers').where({ slug: 'initech' }).first();
    assert.equal(after.client_secret, 'initech-secret-0123456789');
    assert.equal(after.name, 'Initech Corp');
  });

  test('"test connection" reports a working provider, an issuer mismatch and an unreachable one in plain words', async () => {
    const idp = await stack.db('identity_providers').where({ slug: 'initech' }).first();
    let page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    let report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /Connection works/);
    await stack.db('identity_providers').where({ id: idp.id }).update({ issuer: `${initech.issuer}/` + 'x' });
    page = await admin.go(`${stack.appUrl}/admin/idps/${idp.id}`);
    report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /cannot be used yet/);
    assert.match(report.text, /answered HTTP 404|issuer must match/);
    await stack.db('identity_providers').where({ id: idp.id }).update({ issuer: 'http://127.0.0.1:9' });
    report = await admin.submit(page, `/admin/idps/${idp.id}/test`, {});
    assert.match(report.text, /is unreachable/);
    await stack.db('identity_providers').where({ id: idp.id }).update({ issuer: initech.issuer, updated_at: new Date().toISOString() });
  });

  test('an issuer that names itself differently is reported as a mismatch', async () => {
    const { testConnection } = await import('../../src/commands/admin/identityProviders.ts');
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: 'https://someone-else.example', authorization_endpoint: 'x', token_endpoint: 'x', jwks_uri: 'x' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const report = await testConnection(url);
    server.close();
    assert.equal(report.ok, false);
    const problems = (report as { problems: string[] }).problems.join(' ');
    assert.match(problems, /calls itself "https:\/\/someone-else.example"/);
    assert.match(problems, /no userinfo_endpoint/);
  });

  test('a disabled provider disappears from the home page and its sign-in answers 404', async () => {
    const idp = await stack.db('identity_providers').where({ slug: 'initech' }).first();
    const list = await admin.go(`${stack.appUrl}/admin/idps`);
    const res = await admin.submit(list, `/admin/idps/${idp.id}/enabled`, { enabled: 'false' });
    assert.equal(res.status, 200);
    const home = await new Browser().go(`${stack.appUrl}/`);
    assert.doesNotMatch(home.text, /Sign in with Initech/);
    assert.equal((await new Browser().go(`${stack.appUrl}/auth/initech`)).status, 404);
    assert.ok(await stack.db('audit_events').where({ action: 'idp.disabled', target: 'idp:initech' }).first());
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
    assert.equal(await stack.db('identity_providers').where({ slug: 'sneaky' }).first(), undefined);
    const denied = await stack.db('audit_events').where({ action: 'admin:manage', outcome: 'denied' });
    assert.ok(denied.length >= 3);
  });
});
