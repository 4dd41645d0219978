import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { auditEvent, lastAuditEvent, organizationNamed, requestRow, userByEmail } from '../harness/stored.ts';

let stack: Stack;
const admin = new Browser();
before(async () => {
  stack = await startStack();
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

async function orgForm(name: string): Promise<{ page: Page; id: number; values: Record<string, string | string[]> }> {
  const org = (await organizationNamed(stack, name))!;
  const page = await admin.go(`${stack.appUrl}/admin/organizations/${org.id}`);
  return { page, id: org.id, values: { name, domains: org.domains.join('\n'), identity_provider_id: String(org.identity_provider_id ?? ''), policy: org.policy, sponsors: org.sponsors.map(String) } };
}

describe('partner organizations and domain rules', () => {
  test('a domain already claimed by another organization is refused, with the field named', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/organizations/new`);
    const res = await admin.submit(page, '/admin/organizations', { name: 'Acme Copy', domains: 'acme.test', policy: 'allow' });
    assert.equal(res.status, 400);
    assert.match(res.text, /already belongs to another provider or organization/);
    const bad = await admin.submit(page, '/admin/organizations', { name: '', domains: 'not a domain!', policy: 'maybe' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Enter domain names such as example.com/);
    assert.match(bad.text, /Choose one of the options/);
    assert.equal(await organizationNamed(stack, 'Acme Copy'), undefined);
  });

  test('a new organization is listed and its change is audited with before and after', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/organizations/new`);
    const res = await admin.submit(page, '/admin/organizations', { name: 'Umbrella', domains: 'umbrella.test\numbrella-labs.test', policy: 'allow' });
    assert.equal(res.status, 200);
    assert.match(res.text, /Umbrella/);
    assert.match(res.text, /umbrella-labs.test/);
    const event = await lastAuditEvent(stack, { action: 'organization.created' });
    assert.match(event.details, /"name":\[null,"Umbrella"\]/);
  });

  test('a denied organization is refused at sign-in with a clear page', async () => {
    const { page, id, values } = await orgForm('Globex');
    const saved = await admin.submit(page, `/admin/organizations/${id}`, { ...values, policy: 'deny' });
    assert.equal(saved.status, 200);
    const gary = new Browser();
    const refused = await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
    assert.equal(refused.status, 403);
    assert.match(refused.text, /Your organization is not allowed to request access/);
    const after = await gary.go(`${stack.appUrl}/requests`);
    assert.ok(after.url.endsWith('/?signIn=1'), 'no session was created');
    assert.ok(await auditEvent(stack, { action: 'auth.sign_in', outcome: 'denied' }));
    await admin.submit(await admin.go(`${stack.appUrl}/admin/organizations/${id}`), `/admin/organizations/${id}`, { ...values, policy: 'allow' });
  });

  test('auto-approve grants the chosen items at once; other items still go to a sponsor', async () => {
    const { page, id, values } = await orgForm('Acme Industries');
    const [wiki] = await catalogIds(stack, ['Partner Wiki']);
    await admin.submit(page, `/admin/organizations/${id}`, { ...values, policy: 'auto_approve', auto_items: [wiki] });
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    const auto = await paula.submit(form, '/requests', { items: [wiki], justification: 'Need the wiki for the Atlas project.' });
    assert.match(auto.text, /approved automatically/);
    await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    const autoId = Number(/\/requests\/(\d+)/.exec(auto.url)![1]);
    assert.equal((await requestRow(stack, autoId)).status, 'provisioned');
    const mixed = await paula.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki', 'Project Atlas']), justification: 'And the Atlas team, please.' });
    assert.match(mixed.text, /Waiting for a sponsor/);
    await admin.submit(await admin.go(`${stack.appUrl}/admin/organizations/${id}`), `/admin/organizations/${id}`, { ...values, policy: 'allow' });
  });
});

describe('catalog and tenant settings', () => {
  test('catalog items are created and edited with per-field errors', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/catalog/new`);
    const missing = await admin.submit(page, '/admin/catalog', { kind: 'app', name: 'Portal', audience: 'anyone', max_days: '99999' });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /This is required/); // apps need a launch URL
    assert.match(missing.text, /Enter a whole number/);
    const selfNoOwner = await admin.submit(page, '/admin/catalog', { kind: 'group', name: 'Board', audience: 'anyone', self_service: '1' });
    assert.match(selfNoOwner.text, /Self-service needs at least one owner/);
    const sam = await userByEmail(stack, 'sam.sponsor@passerelle.test');
    const ok = await admin.submit(page, '/admin/catalog', {
      kind: 'app', name: 'Board Portal', description: 'Board papers', launch_url: 'https://board.passerelle.test/', audience: 'known_partners',
      requestable: '1', self_service: '1', owners: String(sam.id), max_days: '30',
    });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /Board Portal/);
    const item = await stack.db('catalog_items').where({ name: 'Board Portal' }).first();
    assert.equal(item.max_days, 30);
    assert.equal((await stack.db('catalog_owners').where({ item_id: item.id })).length, 1);
    const js = await admin.submit(await admin.go(`${stack.appUrl}/admin/catalog/${item.id}`), `/admin/catalog/${item.id}`, {
      kind: 'app', name: 'Board Portal', launch_url: 'javascript:alert(1)', audience: 'anyone', owners: String(sam.id),
    });
    assert.equal(js.status, 400, 'only http(s) launch URLs');
  });

  test('with unknown domains switched off, someone of no partner organization cannot ask', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/settings`);
    await admin.submit(page, '/admin/settings', {}); // the box unticked
    const olga = new Browser();
    const home = await olga.go(`${stack.appUrl}/`);
    await olga.submit(home, '/auth/discover', { email: 'olga@nowhere.test' });
    const mail = await stack.mail.waitFor((m) => m.to.includes('olga@nowhere.test'));
    const code = /\n\n([A-Z2-7-]{30})\n/.exec(mail.text)![1];
    const signedIn = await olga.submit(await olga.go(`${stack.appUrl}/`), '/auth/email-code/verify', { email: 'olga@nowhere.test', code });
    const form = await olga.go(`${stack.appUrl}/requests/new`);
    assert.equal(signedIn.status, 200);
    const refused = await olga.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'Please let me in.' });
    assert.equal(refused.status, 403, refused.text.slice(0, 3000));
    assert.match(refused.text, /not registered with us/);
    await admin.submit(await admin.go(`${stack.appUrl}/admin/settings`), '/admin/settings', { unknown_domains_may_request: '1' });
    const restricted = await olga.submit(form, '/requests', { items: await catalogIds(stack, ['Board Portal']), justification: 'Please let me in.' });
    assert.equal(restricted.status, 403);
    assert.match(restricted.text, /only for registered partner organizations/);
    const allowed = await olga.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'Please let me in.' });
    assert.equal(allowed.status, 200);
    await eventually('settings audited', async () => auditEvent(stack, { action: 'settings.updated' }));
  });
});
