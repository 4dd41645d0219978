// Who decides a request is asked again at decision time: a sponsor the admin removed from the
// organization, or an owner replaced on a self-service item, no longer decides (or reads) what was
// routed to them, and the request stays decidable by the people the routing rule names today.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { approversOf, auditEvent, auditEvents, lastAuditEvent, organizationNamed, requestRow, userByEmail } from '../harness/stored.ts';

let stack: Stack;
const admin = new Browser();
const sam = new Browser();
const sue = new Browser();
const omar = new Browser();
let omarId = 0;

before(async () => {
  stack = await startStack();
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  // Omar's first sign-in makes him a member the admin console can choose.
  await omar.signIn(stack.appUrl, 'ours', 'omar.member@passerelle.test');
  omarId = (await stack.db('users').where({ email: 'omar.member@passerelle.test', user_type: 'member' }).first()).id;
});
after(async () => {
  await stack?.stop();
});

const status = async (id: number) => (await requestRow(stack, id)).status as string;
const refusals = (id: number) => auditEvents(stack, { action: 'request.decide', target: `request:${id}`, outcome: 'denied' });
const inboxLists = (page: Page, id: number) => new RegExp(`href="/inbox/${id}"`).test(page.text);

/** The admin console's form for an organization, with the values it shows. */
async function orgForm(name: string) {
  const org = (await organizationNamed(stack, name))!;
  const page = await admin.go(`${stack.appUrl}/admin/organizations/${org.id}`);
  assert.equal(page.status, 200);
  return { page, id: org.id as number, values: { name, domains: org.domains.join('\n'), identity_provider_id: String(org.identity_provider_id ?? ''), policy: org.policy as string } };
}

describe('a sponsor removed from the organization', () => {
  let id = 0;
  let samsPage: Page;
  before(async () => {
    id = (await submitAsPartner(stack, new Browser(), 'acme', 'paula@acme.test', ['Partner Wiki'])).id;
    await waitUntilRouted(stack, id);
    assert.ok(inboxLists(await sam.go(`${stack.appUrl}/inbox`), id), 'routed to Sam, Acme’s sponsor');
    samsPage = await sam.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(samsPage.status, 200);
    // Sam keeps the page open while the admin replaces him with Omar as Acme's sponsor.
    const { page, id: orgId, values } = await orgForm('Acme Industries');
    const saved = await admin.submit(page, `/admin/organizations/${orgId}`, { ...values, sponsors: [String(omarId)] });
    assert.equal(saved.status, 200);
    assert.deepEqual((await stack.db('organization_sponsors').where({ organization_id: orgId })).map((s) => Number(s.user_id)), [omarId]);
  });

  test('can no longer decide it: 403, the refusal audited, the request still pending', async () => {
    const before = (await refusals(id)).length;
    const res = await sam.submit(samsPage, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
    assert.equal(res.status, 403);
    assert.match(res.text, /<h1>/, 'a page, not a bare status');
    assert.equal(await status(id), 'pending');
    assert.equal((await refusals(id)).length, before + 1, 'the refusal is audited');
    assert.equal(await auditEvent(stack, { action: 'request.approved', target: `request:${id}` }), undefined);
  });

  test('no longer reads it, nor finds it in the inbox', async () => {
    assert.equal((await sam.go(`${stack.appUrl}/inbox/${id}`)).status, 403);
    assert.equal(inboxLists(await sam.go(`${stack.appUrl}/inbox`), id), false);
  });

  test('the request was re-routed to the new sponsor in the same change, audited, with a mail', async () => {
    const event = await auditEvent(stack, { action: 'request.rerouted', target: `request:${id}` });
    assert.ok(event, 'the re-route is audited');
    assert.match(event.details, /"added":\["omar.member@passerelle.test"\]/);
    assert.match(event.details, /"removed":\["sam.sponsor@passerelle.test"\]/);
    const orgChange = await lastAuditEvent(stack, { action: 'organization.updated' });
    assert.equal(event.correlation_id, orgChange.correlation_id, 'one admin action');
    const mail = await stack.mail.waitFor((m) => m.to.includes('omar.member@passerelle.test') && m.text.includes(`/inbox/${id}`));
    assert.match(mail.subject, new RegExp(`#${id}`));
  });

  test('the new sponsor sees it and decides it', async () => {
    assert.ok(inboxLists(await omar.go(`${stack.appUrl}/inbox`), id), 'in Omar’s inbox');
    const done = await decide(stack, omar, id, 'approve');
    assert.equal(done.status, 200, done.text.slice(0, 300));
    assert.match(done.text, new RegExp(`Request #${id} approved`));
    assert.notEqual(await status(id), 'pending');
    const decided = await requestRow(stack, id);
    assert.equal(Number(decided.decided_by), omarId);
  });

  test('with every sponsor removed, the open requests go to the admins', async () => {
    const other = (await submitAsPartner(stack, new Browser(), 'acme', 'pete@acme.test', ['Project Atlas'])).id;
    await waitUntilRouted(stack, other);
    assert.ok(inboxLists(await omar.go(`${stack.appUrl}/inbox`), other), 'routed to Omar, Acme’s sponsor now');
    const { page, id: orgId, values } = await orgForm('Acme Industries');
    assert.equal((await admin.submit(page, `/admin/organizations/${orgId}`, values)).status, 200);
    assert.equal((await omar.go(`${stack.appUrl}/inbox/${other}`)).status, 403);
    assert.ok(inboxLists(await admin.go(`${stack.appUrl}/inbox`), other), 'in the admin’s inbox');
    const ada = await userByEmail(stack, 'ada.admin@passerelle.test');
    assert.ok(await stack.db('access_request_approvers').where({ request_id: other, user_id: ada.id }).first());
  });
});

describe('an owner replaced on a self-service item', () => {
  test('no longer decides or lists what was routed to them; the new owner is given it, with a mail, and decides it', async () => {
    // Quality Reviews is self-service, owned by Sue: its requests go to her, not to Acme's sponsors.
    const id = (await submitAsPartner(stack, new Browser(), 'acme', 'paula@acme.test', ['Quality Reviews'])).id;
    await waitUntilRouted(stack, id);
    const page = await sue.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(page.status, 200);
    // The admin gives the item to Omar in the catalog console.
    const [itemId] = await catalogIds(stack, ['Quality Reviews']);
    const item = await stack.db('catalog_items').where({ id: itemId }).first();
    const form = await admin.go(`${stack.appUrl}/admin/catalog/${itemId}`);
    const saved = await admin.submit(form, `/admin/catalog/${itemId}`, {
      kind: item.kind, name: item.name, description: item.description ?? '', launch_url: item.launch_url ?? '', max_days: item.max_days ? String(item.max_days) : '',
      requestable: '1', self_service: '1', audience: item.audience, owners: [String(omarId)],
    });
    assert.equal(saved.status, 200, saved.text.slice(0, 300));
    const approvers = (await approversOf(stack, id)).map((a) => Number(a.user_id));
    assert.deepEqual(approvers, [omarId], 're-routed to Omar in the same change');
    const rerouted = await auditEvent(stack, { action: 'request.rerouted', target: `request:${id}` });
    assert.ok(rerouted, 'the re-routing is audited');
    assert.equal(rerouted.correlation_id, (await lastAuditEvent(stack, { action: 'catalog.item_updated', target: `item:${itemId}` })).correlation_id);
    await stack.mail.waitFor((m) => m.to.includes('omar.member@passerelle.test') && m.text.includes(`/inbox/${id}`));

    const refused = await sue.submit(page, `/inbox/${id}/decision`, { decision: 'deny', reason: 'no' });
    assert.equal(refused.status, 403);
    assert.equal(await status(id), 'pending');
    assert.equal((await refusals(id)).length, 1);
    assert.equal(inboxLists(await sue.go(`${stack.appUrl}/inbox`), id), false);
    assert.equal((await sue.go(`${stack.appUrl}/inbox/${id}`)).status, 403);

    assert.ok(inboxLists(await omar.go(`${stack.appUrl}/inbox`), id), 'in the new owner’s inbox');
    const done = await decide(stack, omar, id, 'deny', 'Not this quarter.');
    assert.equal(done.status, 200);
    assert.equal(await status(id), 'denied');
  });
});
