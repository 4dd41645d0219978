// Two-stage approval (issue 18, point 3): an item can ask for a second approval after the first. The
// organization's sponsor approves first, then the item's owners (or the admins); the partner is
// invited only once both have approved, a denial at either stage grants nothing, each approver decides
// only their own stage, and the request's pages tell both decisions. Real worker, Redis, SMTP catcher.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildAccessRequest, buildApiClient, buildCatalogItem, buildMember, buildOrganization } from '../harness/factories.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';
import { approversOf, auditEvent, auditEvents, guestByEmail, invitationsForRequest, membershipsOf, requestRow } from '../harness/stored.ts';
import { itemsNamed } from '../harness/world.ts';

let stack: Stack;
const ada = new Browser();
const sam = new Browser();
const sue = new Browser();
// Owned by Sue, not self-service: Acme's requests go to Sam first (Acme's sponsor), then to Sue.
const VAULT = 'Atlas Design Vault';
// Ask the admins for their second approval.
const LEDGER = 'Supplier Ledger';
const ARCHIVE = 'Supplier Archive';

before(async () => {
  stack = await startStack({ env: { SWEEP_INTERVAL_MS: '200' } });
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  await buildCatalogItem(stack, { name: VAULT, owners: ['sue.sponsor@passerelle.test'] });
  await buildCatalogItem(stack, { name: LEDGER });
  await buildCatalogItem(stack, { name: ARCHIVE });
});
after(async () => {
  await stack?.stop();
});

/** The admin sets who gives an item's second approval on the catalog item's form, as she would by hand. */
async function setSecondApproval(name: string, value: '' | 'owners' | 'admins'): Promise<Page> {
  const [item] = await itemsNamed(stack, [name]);
  const form = await ada.go(`${stack.appUrl}/admin/catalog/${item.id}`);
  assert.equal(form.status, 200);
  assert.match(form.text, /Second approval/);
  const owners = (await stack.db('catalog_owners').where({ item_id: item.id }).select('user_id')).map((r) => String(r.user_id));
  return ada.submit(form, `/admin/catalog/${item.id}`, {
    kind: item.kind,
    name: item.name,
    description: item.description,
    launch_url: item.launch_url ?? '',
    max_days: item.max_days ? String(item.max_days) : '',
    requestable: '1',
    audience: item.audience,
    owners,
    second_approval: value,
  });
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const refusals = (id: number) => auditEvents(stack, { action: 'request.decide', target: `request:${id}`, outcome: 'denied' });
const routeMailTo = (email: string, id: number) => (m: { to: string[] | string; subject: string }) =>
  String(m.to).includes(email) && m.subject.includes(`#${id} `) && /needs your decision/.test(m.subject);

test('an admin asks for a second approval on the catalog item’s form, and the change is audited', async () => {
  const saved = await setSecondApproval(VAULT, 'owners');
  assert.equal(saved.status, 200, saved.text.slice(0, 300));
  assert.match(saved.text, new RegExp(`${VAULT}</a> <span class="muted">\\(second approval\\)`));
  const [vault] = await itemsNamed(stack, [VAULT]);
  assert.equal(vault.second_approval, 'owners');
  const event = await auditEvent(stack, { action: 'catalog.item_updated', target: `item:${vault.id}` });
  assert.deepEqual(JSON.parse(event.details).changes.second_approval, [null, 'owners']);
  assert.equal((await setSecondApproval(LEDGER, 'admins')).status, 200);
  const bad = await setSecondApproval(LEDGER, 'nobody' as 'admins');
  assert.equal(bad.status, 400);
  assert.equal((await itemsNamed(stack, [LEDGER]))[0].second_approval, 'admins');
});

test('the sponsor approves, then the owner: the partner is invited only after the second approval, and each decides only their stage', async () => {
  const paula = new Browser();
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', [VAULT]);
  await waitUntilRouted(stack, id);
  // The request form said so.
  assert.match((await paula.go(`${stack.appUrl}/requests/new`)).text, new RegExp(`${VAULT}</strong>[^]*?two approvals: your sponsor’s, then its owner’s`));

  const samsPage = await sam.go(`${stack.appUrl}/inbox/${id}`);
  assert.equal(samsPage.status, 200);
  assert.match(samsPage.text, /Stage 1 of 2 — then the item’s owner/);
  assert.match(samsPage.text, /when you approve, it goes on to the item’s owner, and the requester is invited only once both have approved/);
  assert.match((await paula.go(`${stack.appUrl}/requests/${id}`)).text, /Stage 1 of 2: waiting for the first approval/);

  // The owner may not give the first approval: not routed to her, refused and audited.
  const sueHome = await sue.go(`${stack.appUrl}/inbox`);
  assert.doesNotMatch(sueHome.text, new RegExp(`href="/inbox/${id}"`));
  const early = await sue.submit(sueHome, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.equal(early.status, 403);
  assert.equal((await refusals(id)).length, 1);
  assert.equal((await requestRow(stack, id)).stage, 1);

  const before = new Date().toISOString();
  const approved = await decide(stack, sam, id, 'approve');
  assert.equal(approved.status, 200);
  const row = await requestRow(stack, id);
  assert.equal(row.status, 'pending', 'still pending through both stages');
  assert.equal(Number(row.stage), 2);
  assert.ok(row.clock_from >= before, 'the time-outs count afresh from stage 2');
  assert.equal(row.reminded_at, null);
  assert.equal(row.decided_by, null);
  const sueId = (await stack.db('users').where({ email: 'sue.sponsor@passerelle.test', user_type: 'member' }).first()).id;
  assert.deepEqual((await approversOf(stack, id)).filter((a) => Number(a.stage) === 2).map((a) => Number(a.user_id)), [Number(sueId)]);
  const stageEvent = await auditEvent(stack, { action: 'request.stage_approved', target: `request:${id}` });
  const details = JSON.parse(stageEvent.details);
  assert.equal(details.stage, 1);
  assert.deepEqual(details.approvedItems, [VAULT]);
  assert.deepEqual(details.approvers, ['sue.sponsor@passerelle.test']);

  // The owner is asked, by mail and in her inbox; the partner is not invited yet.
  const mail = await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));
  assert.match(mail.text, new RegExp(`/inbox/${id}`));
  assert.match(mail.text, new RegExp(VAULT));
  const sueInbox = await sue.go(`${stack.appUrl}/inbox`);
  assert.match(sueInbox.text, new RegExp(`href="/inbox/${id}"[^]*?Stage 2 of 2`));
  assert.doesNotMatch((await sam.go(`${stack.appUrl}/inbox`)).text, new RegExp(`href="/inbox/${id}">`));
  assert.match((await sue.go(`${stack.appUrl}/owner`)).text, /1 request waits for your decision in your inbox/);
  assert.deepEqual(await invitationsForRequest(stack, id), []);
  assert.equal(stack.mail.messages().filter((m) => String(m.to).includes('paula@acme.test') && /invited/.test(m.subject)).length, 0);
  assert.match((await paula.go(`${stack.appUrl}/requests/${id}`)).text, /Stage 2 of 2: approved at stage 1, waiting for the second approval/);

  // The sponsor reads what he sent on, but may not give the second approval.
  const samsNow = await sam.go(`${stack.appUrl}/inbox/${id}`);
  assert.equal(samsNow.status, 200);
  assert.doesNotMatch(samsNow.text, /action="\/inbox\/\d+\/decision"/);
  const late = await sam.submit(samsNow, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.equal(late.status, 403);
  assert.match(late.text, /You gave this request its first approval: the second must come from someone else/);
  const refused = await refusals(id);
  assert.equal(refused.length, 2);
  assert.match(JSON.parse(refused[1].details).reason, /gave the first approval, the second must come from someone else/);
  assert.equal((await requestRow(stack, id)).status, 'pending');

  const suesPage = await sue.go(`${stack.appUrl}/inbox/${id}`);
  assert.match(suesPage.text, /Stage 2 of 2 — approved at stage 1 by Sam Sponsor on /);
  const done = await sue.submit(suesPage, `/inbox/${id}/decision`, { decision: 'approve', reason: '', itemsListed: '1', approve: (await itemsNamed(stack, [VAULT])).map((i) => String(i.id)) });
  assert.equal(done.status, 200);
  await stack.mail.waitFor((m) => String(m.to).includes('paula@acme.test') && /invited/.test(m.subject));
  await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned');
  const final = await requestRow(stack, id);
  assert.equal(Number(final.decided_by), Number(sueId));

  // Both decisions in the history: who, when, what.
  const history = (await paula.go(`${stack.appUrl}/requests/${id}`)).text;
  assert.match(history, /Approved at stage 1 of 2\s*\(by Sam Sponsor\)/);
  assert.match(history, /— Approved\s+[^]*?\(by Sue Second\)/);
  const adasView = await ada.go(`${stack.appUrl}/inbox/${id}`);
  assert.match(adasView.text, /Stage 1: approved by Sam Sponsor on [^]*?Stage 2: approved by Sue Second on /);
});

test('a request denied at stage two grants nothing, the partner is told why, and the history shows both decisions', async () => {
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', [VAULT]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));
  const denied = await decide(stack, sue, id, 'deny', 'The vault holds export-controlled drawings.');
  assert.equal(denied.status, 200);
  const row = await requestRow(stack, id);
  assert.equal(row.status, 'denied');
  const mail = await stack.mail.waitFor((m) => String(m.to).includes('pete@acme.test') && /denied/.test(m.subject));
  assert.match(mail.text, /export-controlled/);
  // Nothing granted: no guest, no membership, no invitation, no approval queued.
  assert.equal(await guestByEmail(stack, 'pete@acme.test'), undefined);
  assert.deepEqual(await invitationsForRequest(stack, id), []);
  assert.equal((await stack.db('access_request_items').where({ request_id: id, decision: 'approved' })).length, 0);
  assert.equal((await auditEvents(stack, { action: 'request.denied', target: `request:${id}` })).length, 1);
  assert.equal(JSON.parse((await auditEvent(stack, { action: 'request.denied', target: `request:${id}` })).details).stage, 2);

  const page = (await pete.go(`${stack.appUrl}/requests/${id}`)).text;
  assert.match(page, /Approved at stage 1 of 2\s*\(by Sam Sponsor\)/);
  assert.match(page, /— Denied\s+[^]*?\(by Sue Second\)/);
  assert.match(page, /export-controlled/);
  const samsView = await sam.go(`${stack.appUrl}/inbox/${id}`);
  assert.equal(samsView.status, 200);
  assert.match(samsView.text, /Stage 1: approved by Sam Sponsor on [^]*?Stage 2: denied by Sue Second on /);
});

test('a request for a two-stage item and a one-stage item grants both only when stage two approves, and the API decides the current stage', async () => {
  const gary = new Browser();
  // Gary's organization (Globex) is sponsored by Sue; the ledger's second approval is the admins'.
  const { id } = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', ['Supplier Portal', LEDGER]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, sue, id, 'approve')).status, 200);
  const row = await requestRow(stack, id);
  assert.equal(row.status, 'pending');
  assert.equal(Number(row.stage), 2);
  await stack.mail.waitFor(routeMailTo('ada.admin@passerelle.test', id));
  // The one-stage item waits for the end with the other: approved at stage 1, not granted yet.
  const [portal, ledger] = await itemsNamed(stack, ['Supplier Portal', LEDGER]);
  const decisions = Object.fromEntries((await stack.db('access_request_items').where({ request_id: id })).map((r) => [Number(r.item_id), r.decision]));
  assert.deepEqual(decisions, { [portal.id]: 'approved', [ledger.id]: null });
  assert.equal(await guestByEmail(stack, 'gary@globex.test'), undefined);

  const api = await buildApiClient(stack, { scopes: ['AccessRequest.ReadWrite.All'] });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.appUrl}/v1.0${path}`, { method, headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const got = (await (await call('GET', `/accessRequests/${id}`)).json()) as { status: string; approvalStage: number };
  assert.equal(got.status, 'pending');
  assert.equal(got.approvalStage, 2);

  const adas = await ada.go(`${stack.appUrl}/inbox/${id}`);
  assert.match(adas.text, /Stage 2 of 2 — approved at stage 1 by Sue Second/);
  assert.match(adas.text, /Also granted when you approve[^<]*Supplier Portal/);
  // Only the ledger is decided at stage 2.
  assert.match(adas.text, new RegExp(`name="approve" value="${ledger.id}"`));
  assert.doesNotMatch(adas.text, new RegExp(`name="approve" value="${portal.id}"`));

  const approved = await call('POST', `/accessRequests/${id}/approve`, {});
  assert.equal(approved.status, 200);
  const after = (await approved.json()) as { status: string; approvalStage: number };
  assert.equal(after.status, 'approved');
  assert.equal(after.approvalStage, 2);
  assert.equal((await call('POST', `/accessRequests/${id}/approve`, {})).status, 409);
  await stack.mail.waitFor((m) => String(m.to).includes('gary@globex.test') && /invited/.test(m.subject));
  const guest = await eventually('Gary is a guest', () => guestByEmail(stack, 'gary@globex.test'));
  const held = (await membershipsOf(stack, guest.id)).map((m) => Number(m.item_id)).sort((a, b) => a - b);
  assert.deepEqual(held, [portal.id, ledger.id].sort((a, b) => a - b));
  // One request, one invitation.
  assert.equal((await invitationsForRequest(stack, id)).length, 1);
});

test('a partial approval at stage two denies the stage-2 items it leaves out, with a reason', async () => {
  assert.equal((await setSecondApproval(ARCHIVE, 'admins')).status, 200);
  const paula = new Browser();
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', [LEDGER, ARCHIVE]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  await stack.mail.waitFor(routeMailTo('ada.admin@passerelle.test', id));
  const [ledger, archive] = await itemsNamed(stack, [LEDGER, ARCHIVE]);
  const page = await ada.go(`${stack.appUrl}/inbox/${id}`);
  const choose = { decision: 'approve', reason: '', itemsListed: '1', approve: [String(ledger.id)] };
  const unexplained = await ada.submit(page, `/inbox/${id}/decision`, choose);
  assert.equal(unexplained.status, 400);
  assert.equal((await requestRow(stack, id)).status, 'pending');
  const done = await ada.submit(page, `/inbox/${id}/decision`, { ...choose, itemsReason: 'The archive is for buyers only.' });
  assert.equal(done.status, 200);
  const row = await requestRow(stack, id);
  assert.equal(row.status === 'approved' || row.status === 'provisioned', true);
  assert.match(row.decision_reason, /buyers only/);
  const decisions = Object.fromEntries((await stack.db('access_request_items').where({ request_id: id })).map((r) => [Number(r.item_id), r.decision]));
  assert.deepEqual(decisions, { [ledger.id]: 'approved', [archive.id]: 'denied' });
  const mine = (await paula.go(`${stack.appUrl}/requests/${id}`)).text;
  assert.match(mine, /buyers only/);
  const guest = await guestByEmail(stack, 'paula@acme.test');
  await eventually('the ledger granted, not the archive', async () => {
    const held = (await membershipsOf(stack, guest.id)).map((m) => Number(m.item_id));
    return held.includes(ledger.id) && !held.includes(archive.id);
  });
});

test('an auto-approve policy gives only the first approval: the item’s owner still gives the second', async () => {
  await buildOrganization(stack, { name: 'Initech', domains: ['initech.test'], autoApprove: [VAULT] });
  const id = await buildAccessRequest(stack, { requester: 'ivy@initech.test', idp: 'email-code', items: [VAULT] });
  const row = await requestRow(stack, id);
  assert.equal(row.status, 'pending');
  assert.equal(Number(row.stage), 2);
  assert.ok(row.routed_at, 'never left for the routing sweep');
  const event = JSON.parse((await auditEvent(stack, { action: 'request.stage_approved', target: `request:${id}` })).details);
  assert.equal(event.byPolicy, true);
  await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));
  const page = await sue.go(`${stack.appUrl}/inbox/${id}`);
  assert.match(page.text, /Stage 2 of 2 — approved at stage 1 by the organization’s policy/);
  assert.equal((await decide(stack, sue, id, 'approve')).status, 200);
  await stack.mail.waitFor((m) => String(m.to).includes('ivy@initech.test') && /invited/.test(m.subject));
});

test('a sponsor who also owns the item gives the first approval only: the second is refused to her, audited, and asked of the admins', async () => {
  // Gary's organization (Globex) is sponsored by Sue, who owns the vault (its second approval: its owners').
  const gary = new Browser();
  const { id } = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', [VAULT]);
  await waitUntilRouted(stack, id);
  await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));
  assert.equal((await decide(stack, sue, id, 'approve')).status, 200);
  const row = await requestRow(stack, id);
  assert.equal(Number(row.stage), 2);
  const sueId = Number((await stack.db('users').where({ email: 'sue.sponsor@passerelle.test', user_type: 'member' }).first()).id);
  const adaId = Number((await stack.db('users').where({ email: 'ada.admin@passerelle.test', user_type: 'member' }).first()).id);
  assert.equal(Number(row.stage1_decided_by), sueId);
  // Nobody else owns the vault: the admins give the second approval; Sue keeps her stage-1 row.
  const rows = (await approversOf(stack, id)).map((a) => [Number(a.user_id), Number(a.stage)]);
  assert.deepEqual(rows.filter(([, stage]) => stage === 2), [[adaId, 2]]);
  assert.deepEqual(rows.filter(([u]) => u === sueId), [[sueId, 1]]);
  assert.deepEqual(JSON.parse((await auditEvent(stack, { action: 'request.stage_approved', target: `request:${id}` })).details).approvers, ['ada.admin@passerelle.test']);
  await stack.mail.waitFor(routeMailTo('ada.admin@passerelle.test', id));
  assert.equal(stack.mail.messages().filter(routeMailTo('sue.sponsor@passerelle.test', id)).length, 1, 'Sue is not asked for stage 2');

  // Her page tells her why she has no decision to give; her decision is refused, audited.
  const page = await sue.go(`${stack.appUrl}/inbox/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /You gave this request its first approval, so you do not give its second/);
  assert.doesNotMatch(page.text, /action="\/inbox\/\d+\/decision"/);
  const refused = await sue.submit(page, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.equal(refused.status, 403);
  assert.match(refused.text, /You gave this request its first approval: the second must come from someone else/);
  const refusal = (await refusals(id)).at(-1)!;
  assert.match(JSON.parse(refusal.details).reason, /gave the first approval/);
  const still = await requestRow(stack, id);
  assert.equal(still.status, 'pending');
  assert.equal(Number(still.stage), 2);
  assert.equal(still.decided_by, null);

  assert.equal((await decide(stack, ada, id, 'approve')).status, 200);
  assert.notEqual((await requestRow(stack, id)).status, 'pending');
  assert.equal(Number((await requestRow(stack, id)).decided_by), adaId);
});

test('an admin, or an API client, who gave the first approval may not give the second: refused, audited, and asked of the other admins', async () => {
  const alanId = await buildMember(stack, { email: 'alan.admin@passerelle.test', name: 'Alan Admin', role: 'admin' });
  const adaId = Number((await stack.db('users').where({ email: 'ada.admin@passerelle.test', user_type: 'member' }).first()).id);
  // The ledger's second approval is the admins'; Ada, an admin, may give Acme's first approval herself.
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', [LEDGER]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, ada, id, 'approve')).status, 200);
  const row = await requestRow(stack, id);
  assert.equal(Number(row.stage), 2);
  assert.equal(Number(row.stage1_decided_by), adaId);
  assert.deepEqual((await approversOf(stack, id)).filter((a) => Number(a.stage) === 2).map((a) => Number(a.user_id)), [alanId]);
  await stack.mail.waitFor(routeMailTo('alan.admin@passerelle.test', id));
  const page = await ada.go(`${stack.appUrl}/inbox/${id}`);
  assert.match(page.text, /You gave this request its first approval, so you do not give its second/);
  assert.doesNotMatch(page.text, /action="\/inbox\/\d+\/decision"/);
  const before = (await refusals(id)).length;
  const refused = await ada.submit(page, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.equal(refused.status, 403);
  assert.match(refused.text, /the second must come from someone else/);
  assert.equal((await refusals(id)).length, before + 1);
  assert.equal((await requestRow(stack, id)).status, 'pending');

  // The same with an API client: its first approval given, its second refused (403), audited.
  const api = await buildApiClient(stack, { scopes: ['AccessRequest.ReadWrite.All'] });
  const approve = (rid: number, token: string) =>
    fetch(`${stack.appUrl}/v1.0/accessRequests/${rid}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  const gary = new Browser();
  const other = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', [LEDGER]);
  await waitUntilRouted(stack, other.id);
  const first = await approve(other.id, api.token);
  assert.equal(first.status, 200);
  assert.equal(((await first.json()) as { approvalStage: number }).approvalStage, 2);
  assert.equal(Number((await requestRow(stack, other.id)).stage1_decided_by_client), api.id);
  const second = await approve(other.id, api.token);
  assert.equal(second.status, 403);
  assert.match(JSON.stringify(await second.json()), /first approval/);
  assert.match(JSON.parse((await refusals(other.id)).at(-1)!.details).reason, /gave the first approval/);
  assert.equal((await requestRow(stack, other.id)).status, 'pending');
  // Another client gives it, and Ada's (as Alan could).
  const another = await buildApiClient(stack, { scopes: ['AccessRequest.ReadWrite.All'] });
  assert.equal((await approve(other.id, another.token)).status, 200);
  assert.equal((await approve(id, another.token)).status, 200);
});

test('an escalation at stage two never goes to whoever gave the first approval', async () => {
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', [VAULT]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));
  const samId = Number((await stack.db('users').where({ email: 'sam.sponsor@passerelle.test', user_type: 'member' }).first()).id);
  const admins = (await stack.db('users').where({ role: 'admin', state: 'active' }).orderBy('id').select('email')).map((u) => u.email);
  try {
    // Past the escalation (7 days): Acme's only sponsor is Sam, who gave stage 1; the admins are asked.
    setClockOffsetMs(7 * DAY + HOUR);
    const escalated = await eventually('escalated', async () => (await auditEvents(stack, { action: 'request.escalated', target: `request:${id}` }))[0]);
    assert.deepEqual(JSON.parse(escalated.details).approvers, admins);
    assert.ok(!admins.includes('sam.sponsor@passerelle.test'));
    const rows = await approversOf(stack, id);
    assert.deepEqual(rows.filter((a) => Number(a.user_id) === samId).map((a) => [Number(a.stage), a.escalated_at]), [[1, null]]);
    const late = await decide(stack, sam, id, 'approve');
    assert.equal(late.status, 403);
    assert.match(late.text, /the second must come from someone else/);
    assert.equal((await requestRow(stack, id)).status, 'pending');
  } finally {
    setClockOffsetMs(0);
  }
});

test('an owner replaced while a request waits on stage two hands it over: the new owner is asked, the old one no longer decides', async () => {
  const omar = new Browser();
  // Omar's first sign-in makes him a member the catalog form offers as an owner.
  await omar.signIn(stack.appUrl, 'ours', 'omar.member@passerelle.test');
  const archivist = 'Design Archive';
  await buildCatalogItem(stack, { name: archivist, owners: ['sue.sponsor@passerelle.test'], secondApproval: 'owners' });
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', [archivist]);
  await waitUntilRouted(stack, id);
  assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  await stack.mail.waitFor(routeMailTo('sue.sponsor@passerelle.test', id));

  const [item] = await itemsNamed(stack, [archivist]);
  const omarId = (await stack.db('users').where({ email: 'omar.member@passerelle.test', user_type: 'member' }).first()).id;
  const form = await ada.go(`${stack.appUrl}/admin/catalog/${item.id}`);
  const saved = await ada.submit(form, `/admin/catalog/${item.id}`, {
    kind: item.kind, name: item.name, description: item.description, launch_url: '', max_days: String(item.max_days ?? ''),
    requestable: '1', audience: item.audience, owners: [String(omarId)], second_approval: 'owners',
  });
  assert.equal(saved.status, 200);
  const rerouted = JSON.parse((await auditEvent(stack, { action: 'request.rerouted', target: `request:${id}` })).details);
  assert.deepEqual(rerouted.added, ['omar.member@passerelle.test']);
  assert.deepEqual(rerouted.removed, ['sue.sponsor@passerelle.test']);
  const mail = await stack.mail.waitFor(routeMailTo('omar.member@passerelle.test', id));
  assert.match(mail.text, new RegExp(archivist));
  // Sam, who gave stage 1, keeps his row for stage 1 only.
  const rows = await approversOf(stack, id);
  assert.deepEqual(rows.map((r) => [Number(r.user_id), Number(r.stage)]).filter(([u]) => u === Number(omarId)), [[Number(omarId), 2]]);
  assert.equal((await decide(stack, sue, id, 'approve')).status, 403);
  assert.match((await omar.go(`${stack.appUrl}/inbox`)).text, new RegExp(`href="/inbox/${id}"[^]*?Stage 2 of 2`));
  assert.equal((await decide(stack, omar, id, 'approve')).status, 200);
  assert.notEqual((await requestRow(stack, id)).status, 'pending');
});

test('admins a time-out escalated stage one to are routed for stage two as its own approvers, not as escalated ones', async () => {
  // The ledger: Acme's first approval is Sam's, its second the admins'.
  const pete = new Browser();
  const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', [LEDGER]);
  await waitUntilRouted(stack, id);
  const admins = (await stack.db('users').where({ role: 'admin', state: 'active' }).orderBy('id').select('id')).map((u) => Number(u.id));
  try {
    setClockOffsetMs(7 * DAY + HOUR);
    await eventually('escalated at stage 1', async () => (await auditEvents(stack, { action: 'request.escalated', target: `request:${id}` })).length === 1);
    const escalated = (await approversOf(stack, id)).filter((a) => a.escalated_at).map((a) => Number(a.user_id));
    assert.deepEqual(escalated.sort((a, b) => a - b), admins);
    assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
  } finally {
    setClockOffsetMs(0);
  }
  const rows = (await approversOf(stack, id)).filter((a) => Number(a.stage) === 2);
  assert.deepEqual(rows.map((a) => Number(a.user_id)).sort((a, b) => a - b), admins);
  assert.deepEqual(rows.map((a) => a.escalated_at), rows.map(() => null), 'stage 1’s escalation does not carry into stage 2');
});
