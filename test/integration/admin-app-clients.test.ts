// An application's Sign-in settings (its OpenID Connect client), as an admin keeps them in the
// console and on the command line, and as programs read them through the API: per-field refusals
// that store nothing, a secret shown once and stored only sealed, audited changes that never carry
// the secret, rotation, and a Graph-shaped /v1.0/applications that never returns it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { buildApiClient, buildCatalogItem } from '../harness/factories.ts';
import { auditEvents, countRows } from '../harness/stored.ts';
import { openClientSecret } from '../../src/oidc/clientSecret.ts';

const exec = promisify(execFile);

let stack: Stack;
const admin = new Browser();
const ids = {} as Record<'ledger' | 'viewer' | 'cliApp' | 'cliPublic' | 'bare' | 'readers' | 'auditors', number>;
/** Every secret shown in this file: none may appear where a secret must not. */
const secretsSeen: string[] = [];

before(async () => {
  stack = await startStack();
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  ids.ledger = await buildCatalogItem(stack, { kind: 'app', name: 'Ledger' });
  ids.viewer = await buildCatalogItem(stack, { kind: 'app', name: 'Drawing Viewer' });
  ids.cliApp = await buildCatalogItem(stack, { kind: 'app', name: 'Supplier Forum' });
  ids.cliPublic = await buildCatalogItem(stack, { kind: 'app', name: 'Field Notes Mobile' });
  ids.bare = await buildCatalogItem(stack, { kind: 'app', name: 'Bare Launcher', launchUrl: 'https://bare.passerelle.test/' });
  ids.readers = await buildCatalogItem(stack, { name: 'Ledger Readers' });
  ids.auditors = await buildCatalogItem(stack, { name: 'Ledger Auditors' });
});
after(async () => {
  await stack?.stop();
});

const settingsUrl = (itemId: number) => `${stack.appUrl}/admin/catalog/${itemId}/sign-in`;

const form = (over: Record<string, string | string[]> = {}) => ({
  redirect_uris: 'https://ledger.passerelle.test/callback\nhttps://ledger.passerelle.test/other-callback',
  post_logout_redirect_uris: 'https://ledger.passerelle.test/',
  backchannel_logout_uri: 'https://ledger.passerelle.test/backchannel-logout',
  initiate_login_uri: '',
  claims: ['email', 'name', 'groups'],
  visible_group_ids: [String(ids.readers)],
  assignment_required: '1',
  ...over,
});

/** The secret on a show-once page. */
function shownSecret(page: Page): string {
  const secret = /id="client_secret"[^>]*value="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(secret, `no secret on the page: ${page.text.slice(0, 400)}`);
  secretsSeen.push(secret);
  return secret;
}

async function clientRow(itemId: number) {
  return stack.db('app_clients').where({ item_id: itemId }).first();
}

async function save(itemId: number, fields: Record<string, string | string[]>): Promise<Page> {
  const page = await admin.go(settingsUrl(itemId));
  assert.equal(page.status, 200, page.text.slice(0, 300));
  return admin.submit(page, `/admin/catalog/${itemId}/sign-in`, fields);
}

async function passerelle(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], { env: { ...process.env, ...stack.env } });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

const lastLines = (out: string, n: number) => out.trim().split('\n').slice(-n);

describe('Sign-in settings in the console', () => {
  test('the page names the issuer and the discovery document and starts with assignment required', async () => {
    const catalog = await admin.go(`${stack.appUrl}/admin/catalog`);
    assert.ok(catalog.text.includes(`href="/admin/catalog/${ids.ledger}/sign-in"`), 'the catalog links each app to its Sign-in');
    assert.ok(!catalog.text.includes(`href="/admin/catalog/${ids.readers}/sign-in"`), 'a group has no Sign-in');
    const edit = await admin.go(`${stack.appUrl}/admin/catalog/${ids.ledger}`);
    assert.ok(edit.text.includes(`href="/admin/catalog/${ids.ledger}/sign-in"`));
    const page = await admin.go(settingsUrl(ids.ledger));
    assert.equal(page.status, 200);
    assert.match(page.text, /Sign-in for Ledger/);
    assert.ok(page.text.includes(`${stack.config.publicUrl}/oidc</code>`));
    assert.ok(page.text.includes(`${stack.config.publicUrl}/oidc/.well-known/openid-configuration`));
    assert.match(page.text, /<input type="checkbox" id="assignment_required" name="assignment_required" value="1" checked/);
    assert.doesNotMatch(/<input[^>]*id="allow_members"[^>]*>/.exec(page.text)![0], /checked/);
    assert.match(page.text, /<label for="redirect_uris">Redirect URIs<\/label>/);
    assert.match(page.text, /aria-describedby="redirect_uris-hint"/);
    assert.equal((await admin.go(settingsUrl(ids.readers))).status, 404, 'a group has no Sign-in page');
  });

  test('each wrong field is named, the input is kept, and nothing is stored', async () => {
    const cases: [Record<string, string | string[]>, string, RegExp][] = [
      [{ redirect_uris: '' }, 'redirect_uris', /Enter at least one redirect URI/],
      [{ redirect_uris: 'http://ledger.passerelle.test/callback' }, 'redirect_uris', /plain http only on localhost or 127\.0\.0\.1/],
      [{ redirect_uris: 'https://ledger.passerelle.test/callback#done' }, 'redirect_uris', /no #fragment/],
      [{ redirect_uris: 'https://ledger.passerelle.test/callback\nhttps://evil.example/callback' }, 'redirect_uris', /must be on the same host/],
      [{ post_logout_redirect_uris: 'https://ledger.passerelle.test/bye#x' }, 'post_logout_redirect_uris', /no #fragment/],
      [{ backchannel_logout_uri: 'http://ledger.passerelle.test/logout' }, 'backchannel_logout_uri', /plain http only/],
      [{ visible_group_ids: ['999999'] }, 'visible_group_ids', /Choose groups of the catalog/],
      [{ visible_group_ids: [String(ids.viewer)] }, 'visible_group_ids', /Choose groups of the catalog/],
      [{ claims: ['email', 'password'] }, 'claims', /Choose among email, name, user_type, idp and groups/],
    ];
    for (const [over, field, message] of cases) {
      const res = await save(ids.ledger, form(over));
      assert.equal(res.status, 400, `${field}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, new RegExp(`<p class="field-error" id="${field}-error">(?:<span[^>]*>[^<]*<\\/span> )*[^<]*${message.source}`), field);
      assert.match(res.text, new RegExp(`<li><a href="#${field}">`), `${field} is in the error summary`);
    }
    const kept = await save(ids.ledger, form({ redirect_uris: 'https://ledger.passerelle.test/cb\nhttps://other.passerelle.test/cb', backchannel_logout_uri: 'ftp://x' }));
    assert.equal(kept.status, 400);
    assert.match(kept.text, /must be on the same host/);
    assert.match(kept.text, /<p class="field-error" id="backchannel_logout_uri-error">/, 'every problem at once');
    assert.match(kept.text, />https:\/\/ledger\.passerelle\.test\/cb\nhttps:\/\/other\.passerelle\.test\/cb<\/textarea>/, 'what was typed is kept');
    assert.match(kept.text, new RegExp(`name="visible_group_ids" value="${ids.readers}" checked`));

    const group = await admin.go(`${stack.appUrl}/admin/catalog`);
    const refused = await admin.submit(group, `/admin/catalog/${ids.readers}/sign-in`, form());
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Only applications have sign-in settings; this item is a group/);

    assert.equal(await countRows(stack, 'app_clients'), 0);
    assert.deepEqual(await stack.db('audit_events').where('action', 'like', 'app_client.%').select('action'), []);
  });

  test('a confidential client’s secret is shown once, stored only sealed, and never audited', async () => {
    const created = await save(ids.ledger, form());
    assert.equal(created.status, 201, created.text.slice(0, 300));
    assert.match(created.text, /Copy it now: it is not shown again/);
    assert.equal(created.headers['cache-control'], 'no-store');
    const secret = shownSecret(created);
    const row = await clientRow(ids.ledger);
    assert.ok(created.text.includes(`value="${row.client_id}"`), 'the client id is shown with it');
    assert.ok(row.secret_encrypted && !row.secret_encrypted.includes(secret), 'only the sealed value is stored');
    assert.equal(openClientSecret(stack.config, row.client_id, row.secret_encrypted), secret);
    assert.deepEqual(JSON.parse(row.redirect_uris), ['https://ledger.passerelle.test/callback', 'https://ledger.passerelle.test/other-callback']);
    assert.deepEqual(JSON.parse(row.claims), ['email', 'name', 'groups']);
    assert.deepEqual(JSON.parse(row.visible_group_ids), [ids.readers]);
    assert.equal(Boolean(row.assignment_required), true);
    assert.equal(Boolean(row.allow_members), false);

    const again = await admin.go(settingsUrl(ids.ledger));
    assert.equal(again.status, 200);
    assert.ok(again.text.includes(row.client_id));
    assert.match(again.text, /Set; it is stored encrypted and never shown again/);
    assert.ok(!again.text.includes(secret), 'the secret is never shown again');

    const [event] = await auditEvents(stack, { action: 'app_client.created', target: `item:${ids.ledger}` });
    const details = JSON.parse(event.details);
    assert.equal(details.client_id, row.client_id);
    assert.deepEqual(details.changes.redirect_uris, [null, ['https://ledger.passerelle.test/callback', 'https://ledger.passerelle.test/other-callback']]);
    assert.deepEqual(details.changes.has_secret, [null, true]);
    assert.equal(event.actor_label, 'ada.admin@passerelle.test');
    assert.ok(!event.details.includes(secret) && !event.details.includes(row.secret_encrypted), 'neither the secret nor its sealed form is audited');
  });

  test('an edit is audited with before and after; a public client loses its secret and a confidential one gets a new one', async () => {
    const before = await clientRow(ids.ledger);
    const edited = await save(ids.ledger, form({ redirect_uris: 'https://ledger.passerelle.test/callback', allow_members: '1' }));
    assert.equal(edited.status, 200);
    assert.match(edited.text, /Saved\./);
    assert.ok(!secretsSeen.some((s) => edited.text.includes(s)));
    const afterEdit = await clientRow(ids.ledger);
    assert.equal(afterEdit.client_id, before.client_id, 'the client id stays');
    assert.equal(afterEdit.secret_encrypted, before.secret_encrypted, 'the secret stays');
    const [updated] = await auditEvents(stack, { action: 'app_client.updated', target: `item:${ids.ledger}` });
    assert.deepEqual(JSON.parse(updated.details).changes, {
      redirect_uris: [['https://ledger.passerelle.test/callback', 'https://ledger.passerelle.test/other-callback'], ['https://ledger.passerelle.test/callback']],
      allow_members: [false, true],
    });

    const madePublic = await save(ids.ledger, form({ public_client: '1' }));
    assert.equal(madePublic.status, 200);
    assert.match(madePublic.text, /None: a public client proves itself with PKCE instead/);
    assert.doesNotMatch(madePublic.text, /Make a new client secret/, 'a public client has nothing to rotate');
    assert.equal((await clientRow(ids.ledger)).secret_encrypted, null);
    const toPublic = (await auditEvents(stack, { action: 'app_client.updated', target: `item:${ids.ledger}` })).at(-1);
    assert.deepEqual(JSON.parse(toPublic.details).changes.has_secret, [true, false]);
    assert.deepEqual(JSON.parse(toPublic.details).changes.public_client, [false, true]);

    const rotatePublic = await admin.submit(madePublic, `/admin/catalog/${ids.ledger}/sign-in/rotate`, {});
    assert.equal(rotatePublic.status, 400);
    assert.match(rotatePublic.text, /A public client has no secret to rotate/);

    const confidential = await save(ids.ledger, form());
    assert.equal(confidential.status, 200);
    const secret = shownSecret(confidential);
    const row = await clientRow(ids.ledger);
    assert.equal(openClientSecret(stack.config, row.client_id, row.secret_encrypted), secret);
    assert.ok(!(await auditEvents(stack, { target: `item:${ids.ledger}` })).some((e) => secretsSeen.some((s) => e.details.includes(s))));
  });

  test('rotation shows a new secret once and replaces the old one', async () => {
    const before = await clientRow(ids.ledger);
    const oldSecret = openClientSecret(stack.config, before.client_id, before.secret_encrypted);
    const page = await admin.go(settingsUrl(ids.ledger));
    const rotated = await admin.submit(page, `/admin/catalog/${ids.ledger}/sign-in/rotate`, {});
    assert.equal(rotated.status, 200);
    assert.match(rotated.text, /A new client secret was made; the previous one no longer works/);
    const secret = shownSecret(rotated);
    assert.notEqual(secret, oldSecret);
    const row = await clientRow(ids.ledger);
    assert.notEqual(row.secret_encrypted, before.secret_encrypted, 'the sealed value is replaced');
    assert.equal(openClientSecret(stack.config, row.client_id, row.secret_encrypted), secret);
    assert.equal(row.client_id, before.client_id);
    const event = (await auditEvents(stack, { action: 'app_client.secret_rotated', target: `item:${ids.ledger}` })).at(-1);
    assert.ok(event);
    assert.ok(!event.details.includes(secret) && !event.details.includes(oldSecret));
    assert.ok(!(await admin.go(settingsUrl(ids.ledger))).text.includes(secret));
  });
});

describe('passerelle app-client', () => {
  test('create prints the client id and then the secret as its last two lines; a public client prints its id last', async () => {
    const made = await passerelle('app-client', 'create', '--item', 'Supplier Forum',
      '--redirect-uri', 'https://forum.passerelle.test/oidc/callback', '--redirect-uri', 'http://127.0.0.1:4100/callback',
      '--post-logout-uri', 'https://forum.passerelle.test/', '--backchannel-logout-uri', 'https://forum.passerelle.test/logout',
      '--claims', 'email,groups', '--groups', 'Ledger Readers, Ledger Auditors');
    assert.equal(made.code, 1, 'two hosts are refused');
    assert.match(made.err, /--redirect-uri: All redirect URIs must be on the same host/);
    assert.equal(await clientRow(ids.cliApp), undefined);

    const ok = await passerelle('app-client', 'create', '--item', 'Supplier Forum',
      '--redirect-uri', 'https://forum.passerelle.test/oidc/callback', '--redirect-uri', 'https://forum.passerelle.test/oidc/callback2',
      '--post-logout-uri', 'https://forum.passerelle.test/', '--backchannel-logout-uri', 'https://forum.passerelle.test/logout',
      '--claims', 'email,groups', '--groups', 'Ledger Readers, Ledger Auditors');
    assert.equal(ok.code, 0, ok.err);
    const [clientId, secret] = lastLines(ok.out, 2);
    secretsSeen.push(secret);
    const row = await clientRow(ids.cliApp);
    assert.equal(clientId, row.client_id);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(openClientSecret(stack.config, row.client_id, row.secret_encrypted), secret);
    assert.deepEqual(JSON.parse(row.claims), ['email', 'groups']);
    assert.deepEqual(JSON.parse(row.visible_group_ids).map(Number).sort(), [ids.readers, ids.auditors].sort());
    assert.deepEqual(JSON.parse(row.post_logout_redirect_uris), ['https://forum.passerelle.test/']);
    assert.equal(row.backchannel_logout_uri, 'https://forum.passerelle.test/logout');
    assert.equal(Boolean(row.assignment_required), true);
    const [event] = await auditEvents(stack, { action: 'app_client.created', target: `item:${ids.cliApp}` });
    assert.equal(event.actor_id, 'system:cli');
    assert.ok(!event.details.includes(secret));

    const again = await passerelle('app-client', 'create', '--item', 'Supplier Forum', '--redirect-uri', 'https://forum.passerelle.test/x');
    assert.equal(again.code, 1);
    assert.match(again.err, /--item: This application already has sign-in settings/);

    const pub = await passerelle('app-client', 'create', '--item', 'Field Notes Mobile', '--redirect-uri', 'http://127.0.0.1:7000/callback', '--public');
    assert.equal(pub.code, 0, pub.err);
    const publicRow = await clientRow(ids.cliPublic);
    assert.deepEqual(lastLines(pub.out, 2), ['A public client has no secret (it must use PKCE). Its client id follows.', publicRow.client_id]);
    assert.equal(publicRow.secret_encrypted, null);
    assert.equal(Boolean(publicRow.public_client), true);
    assert.deepEqual(JSON.parse(publicRow.claims), ['email', 'name', 'user_type', 'idp', 'groups'], 'every claim by default');
    assert.deepEqual(JSON.parse(publicRow.visible_group_ids), [], 'no group by default');
  });

  test('bad options are named per field and nothing is stored', async () => {
    const cases: [string[], RegExp][] = [
      [['--item', 'Drawing Viewer'], /--redirect-uri: Enter at least one redirect URI/],
      [['--item', 'Drawing Viewer', '--redirect-uri', 'http://viewer.passerelle.test/cb'], /--redirect-uri: Use an https:\/\/ address \(plain http only/],
      [['--item', 'Drawing Viewer', '--redirect-uri', 'https://viewer.passerelle.test/cb#frag'], /--redirect-uri: Enter the exact address/],
      [['--item', 'Drawing Viewer', '--redirect-uri', 'https://viewer.passerelle.test/cb', '--groups', 'No Such Group'], /--groups: No group of the catalog is named "No Such Group"/],
      [['--item', 'Drawing Viewer', '--redirect-uri', 'https://viewer.passerelle.test/cb', '--claims', 'email,roles'], /--claims: Choose among email/],
      [['--item', 'Ledger Readers', '--redirect-uri', 'https://viewer.passerelle.test/cb'], /--item: Only applications have sign-in settings/],
      [['--item', 'Nothing Here', '--redirect-uri', 'https://viewer.passerelle.test/cb'], /--item: No application of the catalog is named "Nothing Here"/],
    ];
    for (const [args, message] of cases) {
      const res = await passerelle('app-client', 'create', ...args);
      assert.equal(res.code, 1, `${args.join(' ')}: ${res.out} ${res.err}`);
      assert.match(res.err, message);
    }
    assert.equal((await passerelle('app-client', 'create', '--redirect-uri', 'https://x.test/cb')).code, 2, 'no --item: usage');
    assert.equal(await clientRow(ids.viewer), undefined);
    assert.equal(await clientRow(ids.readers), undefined);
  });

  test('list shows each application’s client; rotate-secret prints the new secret last', async () => {
    const listed = await passerelle('app-client', 'list');
    assert.equal(listed.code, 0, listed.err);
    const lines = listed.out.trim().split('\n');
    assert.match(lines[0], /^Application\s+Client id\s+Client type\s+Assignment required\s+Redirect URIs$/);
    const forum = lines.find((l) => l.startsWith('Supplier Forum'));
    const row = await clientRow(ids.cliApp);
    assert.ok(forum, listed.out);
    assert.match(forum, new RegExp(`^Supplier Forum\\s+${row.client_id}\\s+confidential\\s+Yes\\s+https://forum\\.passerelle\\.test/oidc/callback https://forum\\.passerelle\\.test/oidc/callback2$`));
    assert.match(lines.find((l) => l.startsWith('Field Notes Mobile')) ?? '', /\spublic\s/);
    assert.ok(!lines.some((l) => l.startsWith('Bare Launcher')), 'an app without a client is not listed');
    assert.ok(!secretsSeen.some((s) => listed.out.includes(s)));

    const rotated = await passerelle('app-client', 'rotate-secret', '--item', 'Supplier Forum');
    assert.equal(rotated.code, 0, rotated.err);
    const [secret] = lastLines(rotated.out, 1);
    secretsSeen.push(secret);
    const after = await clientRow(ids.cliApp);
    assert.notEqual(after.secret_encrypted, row.secret_encrypted);
    assert.equal(openClientSecret(stack.config, after.client_id, after.secret_encrypted), secret);
    const refused = await passerelle('app-client', 'rotate-secret', '--item', 'Field Notes Mobile');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /A public client has no secret to rotate/);
    const none = await passerelle('app-client', 'rotate-secret', '--item', 'Drawing Viewer');
    assert.equal(none.code, 1);
    assert.match(none.err, /has no sign-in settings yet/);
  });
});

describe('GET /v1.0/applications', () => {
  const api = () => supertest(stack.appUrl);

  test('lists the catalog’s applications with their clients, Graph-shaped, and never a secret', async () => {
    const { token } = await buildApiClient(stack, { name: 'app reader', scopes: ['Application.Read.All'] });
    const res = await api().get('/v1.0/applications').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body['@odata.context'], `${stack.config.publicUrl}/v1.0/$metadata#applications`);
    const byName = new Map((res.body.value as { displayName: string }[]).map((a) => [a.displayName, a as Record<string, any>]));
    assert.ok(!byName.has('Ledger Readers'), 'groups are not applications');
    const ledger = byName.get('Ledger')!;
    const row = await clientRow(ids.ledger);
    assert.equal(ledger.id, String(ids.ledger));
    assert.equal(ledger.appId, row.client_id);
    assert.deepEqual(ledger.web.redirectUris, ['https://ledger.passerelle.test/callback', 'https://ledger.passerelle.test/other-callback']);
    assert.equal(ledger.web.logoutUrl, 'https://ledger.passerelle.test/backchannel-logout');
    assert.equal(ledger.web.homePageUrl, (await stack.db('catalog_items').where({ id: ids.ledger }).first()).launch_url);
    assert.deepEqual(ledger.publicClient, { redirectUris: [] });
    assert.equal(ledger.isFallbackPublicClient, false);
    assert.equal(ledger.passwordCredentials.length, 1);
    assert.equal(ledger.passwordCredentials[0].startDateTime, row.secret_rotated_at);
    assert.equal(ledger.passwordCredentials[0].hint, null);
    assert.deepEqual(ledger.signInSettings.claims, ['email', 'name', 'groups']);
    assert.deepEqual(ledger.signInSettings.visibleGroupIds, [String(ids.readers)]);
    assert.equal(ledger.signInSettings.assignmentRequired, true);

    const mobile = byName.get('Field Notes Mobile')!;
    assert.deepEqual(mobile.web.redirectUris, []);
    assert.deepEqual(mobile.publicClient.redirectUris, ['http://127.0.0.1:7000/callback']);
    assert.equal(mobile.isFallbackPublicClient, true);
    assert.deepEqual(mobile.passwordCredentials, []);

    const bare = byName.get('Bare Launcher')!;
    assert.equal(bare.appId, null);
    assert.equal(bare.signInSettings, null);
    assert.equal(bare.web.homePageUrl, 'https://bare.passerelle.test/');

    const sealed = (await stack.db('app_clients').whereNotNull('secret_encrypted').select('secret_encrypted')).map((r) => r.secret_encrypted as string);
    assert.ok(secretsSeen.length >= 4 && sealed.length >= 2);
    for (const s of [...secretsSeen, ...sealed]) assert.ok(!res.text.includes(s), 'no secret, clear or sealed, in the answer');
    assert.doesNotMatch(res.text, /secretText|secret_encrypted/);

    const one = await api().get(`/v1.0/applications/${ids.ledger}`).set('Authorization', `Bearer ${token}`);
    assert.equal(one.status, 200);
    assert.equal(one.body['@odata.context'], `${stack.config.publicUrl}/v1.0/$metadata#applications/$entity`);
    assert.equal(one.body.appId, row.client_id);
    assert.ok(!secretsSeen.some((s) => one.text.includes(s)));

    const filtered = await api().get(`/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${row.client_id}'`)}&$select=id,appId`).set('Authorization', `Bearer ${token}`);
    assert.equal(filtered.status, 200, JSON.stringify(filtered.body));
    assert.deepEqual(filtered.body.value, [{ id: String(ids.ledger), appId: row.client_id }]);

    const first = await api().get('/v1.0/applications?$top=1').set('Authorization', `Bearer ${token}`);
    assert.equal(first.body.value.length, 1);
    const next = new URL(first.body['@odata.nextLink']);
    const second = await api().get(next.pathname + next.search).set('Authorization', `Bearer ${token}`);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.value[0].id, first.body.value[0].id);

    assert.equal((await api().get(`/v1.0/applications/${ids.readers}`).set('Authorization', `Bearer ${token}`)).status, 404, 'a group is not an application');
  });

  test('without Application.Read.All the answer is Graph’s 403', async () => {
    const { token } = await buildApiClient(stack, { name: 'user reader', scopes: ['User.Read.All'] });
    for (const path of ['/v1.0/applications', `/v1.0/applications/${ids.ledger}`]) {
      const res = await api().get(path).set('Authorization', `Bearer ${token}`);
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'Authorization_RequestDenied');
      assert.match(res.body.error.message, /Application\.Read\.All/);
      assert.ok(!secretsSeen.some((s) => res.text.includes(s)));
    }
  });

  test('the OpenAPI document describes both operations and the scope', async () => {
    const doc = (await api().get('/v1.0/openapi.json')).body;
    assert.deepEqual(doc.paths['/v1.0/applications'].get['x-scopes'], ['Application.Read.All']);
    assert.ok(doc.paths['/v1.0/applications/{id}'].get);
    assert.ok(doc.components.schemas.application);
    assert.match(doc.components.securitySchemes.bearer.description, /Application\.Read\.All \(Read applications and their sign-in settings\)/);
  });
});
