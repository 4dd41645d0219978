// An identity provider's issuer URL is typed by an admin, and every other endpoint comes from a
// document the provider serves: neither may turn the server into a proxy to its own network
// (issue 14). Two more web apps run on the same database with IDP_PRIVATE_NETWORKS=deny (the
// production default): one strict, one whose operator allows the internal host `localhost`. The
// "internal service" is a real HTTP server on 127.0.0.1 that serves a perfectly good discovery
// document and counts every request, so a refusal can only be the address's doing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildIdentityProvider } from '../harness/factories.ts';
import { auditEvent, idpRow } from '../harness/stored.ts';
import { loadConfig } from '../../src/config.ts';
import { startWeb, type WebHandle } from '../../src/web/server.ts';
import { createLogger } from '../../src/log.ts';

let stack: Stack;
let strict: WebHandle;
let allowing: WebHandle;
let service: http.Server;
let port = 0;
const hits: string[] = [];
let brokenHealthy = false;
const admin = new Browser();

const doc = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  // Elsewhere on the internal network, as a hostile document would put them.
  token_endpoint: `http://127.0.0.1:${port}/token`,
  jwks_uri: `http://127.0.0.1:${port}/jwks`,
  userinfo_endpoint: `http://127.0.0.1:${port}/userinfo`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
});

before(async () => {
  stack = await startStack();
  service = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(path);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') return json(200, doc(`http://localhost:${port}`));
    if (path === '/broken/.well-known/openid-configuration') {
      return brokenHealthy ? json(200, doc(`http://127.0.0.1:${port}/broken`)) : json(500, { error: 'PRIVATE-500 at db01.corp:5432' });
    }
    if (path === '/status500/.well-known/openid-configuration') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('PRIVATE-500 stack trace at /srv/app/secrets.js');
    }
    if (path === '/text/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('redis_version:7.2.4 PRIVATE-TEXT');
    }
    json(200, { note: 'PRIVATE-ENDPOINT' });
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  port = (service.address() as { port: number }).port;

  const log = createLogger('silent', 'idp-ssrf');
  strict = await startWeb({ config: loadConfig({ ...stack.env, PORT: '0', IDP_PRIVATE_NETWORKS: 'deny' }), db: stack.db }, log);
  allowing = await startWeb(
    { config: loadConfig({ ...stack.env, PORT: '0', IDP_PRIVATE_NETWORKS: 'deny', IDP_ALLOWED_INTERNAL_HOSTS: 'localhost' }), db: stack.db },
    log,
  );
  // The admin signs in through the stack's app (its IdPs are on 127.0.0.1 too); sessions live in the
  // database, so the same cookie is the same admin on the other two apps.
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  for (const cookie of admin.cookieHeader(stack.appUrl).split('; ')) {
    admin.plantCookie(strict.url, cookie);
    admin.plantCookie(allowing.url, cookie);
  }
});
after(async () => {
  await allowing?.close();
  await strict?.close();
  service?.close();
  await stack?.stop();
});

const form = (issuer: string, slug = 'probe') => ({
  name: 'Probe',
  slug,
  kind: 'partner',
  issuer,
  client_id: 'passerelle-probe',
  client_secret: 'probe-secret-0123456789',
  scopes: 'openid email profile',
  email_domains: `${slug}.test`,
});

async function addRow(slug: string, issuer: string): Promise<number> {
  return buildIdentityProvider(stack, { slug, name: slug, issuer, client: { clientId: 'passerelle-probe', clientSecret: 'probe-secret' }, scopes: 'openid email' });
}

async function testConnection(appUrl: string, id: number): Promise<string> {
  const page = await admin.go(`${appUrl}/admin/idps/${id}`);
  assert.equal(page.status, 200, page.text.slice(0, 200));
  const report = await admin.submit(page, `/admin/idps/${id}/test`, {});
  assert.equal(report.status, 200);
  return /<div class="(?:notice|problem)" role="status">([\s\S]*?)<\/div>/.exec(report.text)?.[1] ?? report.text;
}

describe('identity providers cannot be pointed at the server\'s own network', () => {
  test('an issuer with a query, a fragment or a discovery path is refused, whatever the network setting', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/idps/new`);
    for (const issuer of ['http://idp.example/tenant?x=', 'http://idp.example/#', 'http://idp.example/realm#frag', 'http://idp.example/.well-known/openid-configuration']) {
      const res = await admin.submit(page, '/admin/idps', form(issuer));
      assert.equal(res.status, 400, issuer);
      assert.match(res.text, /no \?, # or \/\.well-known\/ in it/, issuer);
    }
    assert.equal(await idpRow(stack, 'probe'), undefined);
  });

  test('with private networks denied, an issuer on a loopback, private or link-local address is refused in any spelling', async () => {
    const page = await admin.go(`${strict.url}/admin/idps/new`);
    const spellings = [
      'https://127.0.0.1/', 'https://2130706433/', 'https://0x7f.1/', 'https://127.1/', 'https://017700000001/', 'https://[::1]/',
      'https://[::ffff:127.0.0.1]/', 'https://0.0.0.0/', 'https://10.1.2.3/', 'https://172.16.0.1/', 'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data', 'https://100.64.0.1/', 'https://[fd00::1]/', 'https://[fe80::1]/', 'https://[64:ff9b::a9fe:a9fe]/',
    ];
    for (const issuer of spellings) {
      const res = await admin.submit(page, '/admin/idps', form(issuer));
      assert.equal(res.status, 400, issuer);
      assert.match(res.text, /This address is on a loopback, private or link-local network/, issuer);
    }
    assert.equal(await idpRow(stack, 'probe'), undefined);
  });

  test('discovery refuses an internal address when it connects: a name that resolves there, and numeric hosts stored earlier', async () => {
    const before = hits.length;
    // `localhost` is a name: saving it resolves nothing, connecting to it finds 127.0.0.1.
    const issuers = { byname: `http://localhost:${port}`, decimal: `http://2130706433:${port}`, hex: `http://0x7f.1:${port}`, mapped: `http://[::ffff:127.0.0.1]:${port}` };
    for (const [slug, issuer] of Object.entries(issuers)) {
      const id = await addRow(slug, issuer);
      const report = await testConnection(strict.url, id);
      assert.match(report, /Address not allowed/, `${slug}: ${report}`);
      const signIn = await new Browser().go(`${strict.url}/auth/${slug}`);
      assert.equal(signIn.status, 503, slug);
      assert.match(signIn.text, /is not answering right now/);
    }
    assert.deepEqual(hits.slice(before), [], 'the internal service was never contacted');
    const tested = await auditEvent(stack, { action: 'idp.tested', target: 'idp:byname' });
    assert.equal(tested.outcome, 'failure');
    assert.match(tested.details, /address not allowed/);
  });

  test('an internal host the operator allows works; the endpoints its document names elsewhere on the network do not', async () => {
    const id = await addRow('intranet', `http://localhost:${port}`);
    assert.match(await testConnection(allowing.url, id), /Connection works/);
    assert.match(await testConnection(strict.url, id), /Address not allowed/, 'only where the operator allows it');

    const b = new Browser();
    const start = await b.request('GET', `${allowing.url}/auth/intranet`);
    assert.equal(start.status, 302, start.text.slice(0, 200));
    const authorize = new URL(String(start.headers.location));
    assert.equal(authorize.origin, `http://localhost:${port}`);
    const before = hits.length;
    // The IdP's answer comes back with a code; the token request would go to 127.0.0.1.
    const callback = await b.request('GET', `${allowing.url}/auth/intranet/callback?code=abc&state=${authorize.searchParams.get('state')}`);
    assert.equal(callback.status, 502, callback.text.slice(0, 300));
    assert.deepEqual(hits.slice(before), [], 'the token endpoint on 127.0.0.1 was never contacted');
    const failure = await auditEvent(stack, { action: 'auth.sign_in', target: 'idp:intranet', outcome: 'failure' });
    assert.match(failure.details, /address not allowed/);
  });

  test('"test connection" and sign-in name the failure class, never what the other side answered', async () => {
    const cases = [
      { slug: 'redisport', issuer: `http://127.0.0.1:${stack.redis.url.split(':').pop()}`, expect: /Could not connect to http:\/\/127\.0\.0\.1:\d+\/\.well-known/ },
      { slug: 'status500', issuer: `http://127.0.0.1:${port}/status500`, expect: /HTTP error 500 from http:\/\/127\.0\.0\.1:\d+\/status500\/\.well-known/ },
      { slug: 'plaintext', issuer: `http://127.0.0.1:${port}/text`, expect: /Not an OpenID provider configuration: http:\/\/127\.0\.0\.1:\d+\/text\/\.well-known/ },
      { slug: 'namedelse', issuer: `http://127.0.0.1:${port}`, expect: /Issuer mismatch/ },
    ];
    const remote = /PRIVATE|redis_version|ERR|Parse Error|Expected HTTP|other side closed|localhost:\d+|secrets\.js/;
    for (const c of cases) {
      const id = await addRow(c.slug, c.issuer);
      const report = await testConnection(stack.appUrl, id);
      assert.match(report, c.expect, `${c.slug}: ${report}`);
      assert.doesNotMatch(report, remote, c.slug);
      const signIn = await new Browser().go(`${stack.appUrl}/auth/${c.slug}`);
      assert.equal(signIn.status, 503, c.slug);
      assert.doesNotMatch(signIn.text, remote, c.slug);
    }
  });

  test('anonymous visitors cannot make a broken provider be discovered again and again; an edit or a working test tries again at once', async () => {
    const id = await addRow('broken', `http://127.0.0.1:${port}/broken`);
    const discoveries = () => hits.filter((h) => h === '/broken/.well-known/openid-configuration').length;
    for (let i = 0; i < 3; i++) assert.equal((await new Browser().go(`${stack.appUrl}/auth/broken`)).status, 503);
    assert.equal(discoveries(), 1, 'one discovery for three visits');

    // The admin edits the row: the next visit discovers again.
    const page = await admin.go(`${stack.appUrl}/admin/idps/${id}`);
    const saved = await admin.submit(page, `/admin/idps/${id}`, { ...form(`http://127.0.0.1:${port}/broken`, 'broken'), name: 'Broken Ltd', client_secret: '' });
    assert.equal(saved.status, 200, saved.text.slice(0, 300));
    assert.equal((await new Browser().go(`${stack.appUrl}/auth/broken`)).status, 503);
    assert.equal(discoveries(), 2);

    // The provider is mended: visitors still get the remembered failure, until a test shows it works.
    brokenHealthy = true;
    assert.equal((await new Browser().go(`${stack.appUrl}/auth/broken`)).status, 503);
    assert.equal(discoveries(), 2);
    assert.match(await testConnection(stack.appUrl, id), /Connection works/);
    const start = await new Browser().request('GET', `${stack.appUrl}/auth/broken`);
    assert.equal(start.status, 302);
    assert.ok(String(start.headers.location).startsWith(`http://127.0.0.1:${port}/broken/authorize?`));
  });
});
