// Access reviews (issue 18, point 7): an admin starts a recurring review of every guest; each
// membership goes to the guest's sponsor (named, else who approved their request), else the item's
// owner, else the admins, each mailed; the
// reviewers keep and remove (a reason required), a reviewer cannot answer another's rows; an admin
// reminds the slow ones, the worker reminds once more before the deadline, then closes the review once
// (two workers running): unanswered rows get the default, the removals go through the admin's removal,
// audited; the CSV export and the API tell the result, and the next round opens three months later.
// The clock is moved in-process (web and both workers read it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildApiClient, buildGuest } from '../harness/factories.ts';
import { auditEvents, membershipsOf } from '../harness/stored.ts';
import { itemsNamed, userIdOf } from '../harness/world.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { addGuestSponsor } from '../../src/db/guests.ts';
import { now, setClockOffsetMs } from '../../src/domain/clock.ts';
import { startWorker, type WorkerHandle } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';

const DAY = 86_400_000;
let stack: Stack;
let second: WorkerHandle | null = null;
const admin = new Browser();
const sam = new Browser();
const sue = new Browser();

before(async () => {
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
  // A second worker on the same database and Redis: the deadline must still be acted on once.
  second = await startWorker({ config: stack.config, db: stack.db }, createLogger('silent', 'second-worker'));
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
});
after(async () => {
  setClockOffsetMs(0);
  await second?.close();
  await stack?.stop();
});

const rowsOf = (campaignId: number) => stack.db('review_rows').where({ campaign_id: campaignId }).orderBy('id');
const rowFor = async (campaignId: number, email: string, item: string) => {
  const row = await stack.db('review_rows').where({ campaign_id: campaignId, guest_email: email, item_name: item }).first();
  assert.ok(row, `a row for ${email} / ${item}`);
  return row as { id: number; reviewer_id: number | null; reviewer_kind: string; decision: string | null };
};
const holds = async (guestId: number, item: string) => {
  const [it] = await itemsNamed(stack, [item]);
  // A removed membership is kept, marked ended (the guest's retirement counts from it).
  return (await membershipsOf(stack, guestId)).some((m) => Number(m.item_id) === it.id && !m.access_ended_at);
};

describe('access reviews', () => {
  test('a review campaign: reviewers assigned by the rule, keep / remove / unanswered, the default applied once at the deadline, exported, in the API, and its next round', async () => {
    const samId = await userIdOf(stack, 'sam.sponsor@passerelle.test');
    const sueId = await userIdOf(stack, 'sue.sponsor@passerelle.test');
    // Gina and Jade are Sam's guests; Hugo holds Quality Reviews (Sue owns it) and has no sponsor;
    // Ivan holds Partner Wiki, which nobody owns, and has no sponsor: his row goes to the admins.
    const gina = await buildGuest(stack, { name: 'Gina Guest', email: 'gina@acme.test', memberships: ['Partner Wiki', 'Quality Reviews'] });
    const jade = await buildGuest(stack, { name: 'Jade Guest', email: 'jade@newco.test', memberships: ['Project Atlas'] });
    const hugo = await buildGuest(stack, { name: 'Hugo Guest', email: 'hugo@newco.test', memberships: ['Quality Reviews'] });
    const ivan = await buildGuest(stack, { name: 'Ivan Guest', email: 'ivan@newco.test', memberships: ['Partner Wiki'] });
    await inTransaction(stack.db, async (trx) => {
      await addGuestSponsor(trx, gina, samId);
      await addGuestSponsor(trx, jade, samId);
    });
    // Paula became a guest through a request Sam approved: nobody named her sponsor, so Sam, who decided, is.
    const { id: requestId } = await submitAsPartner(stack, new Browser(), 'acme', 'paula@acme.test', ['Supplier Portal']);
    await waitUntilRouted(stack, requestId);
    assert.equal((await decide(stack, sam, requestId, 'approve')).status, 200);
    const paula = Number(
      await eventually('Paula provisioned', async () => {
        const r = await stack.db('access_requests').where({ id: requestId }).first();
        return r?.status === 'provisioned' && r.guest_user_id;
      }),
    );

    // A form with a mistake comes back with what was typed and the error.
    const form = await admin.go(`${stack.appUrl}/admin/reviews/new`);
    assert.equal(form.status, 200);
    const deadlineDay = new Date(now() + 10 * DAY).toISOString().slice(0, 10);
    const fields = { name: 'Partner access, winter', scope: 'all', deadline: deadlineDay, defaultDecision: 'remove', recurrence: '3' };
    const bad = await admin.submit(form, '/admin/reviews', { ...fields, name: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Give the review a name/);
    assert.match(bad.text, new RegExp(deadlineDay));

    const started = await admin.submit(form, '/admin/reviews', fields);
    assert.equal(started.status, 200, started.text.slice(0, 500));
    assert.match(started.text, /The review started with 6 rows to answer/);
    const id = Number(/\/admin\/reviews\/(\d+)/.exec(started.url)![1]);
    // The form sent again (a double click): the open review's page, nothing started twice.
    const twice = await admin.submit(form, '/admin/reviews', fields);
    assert.equal(twice.status, 200);
    assert.equal(Number(/\/admin\/reviews\/(\d+)/.exec(twice.url)![1]), id);
    assert.match(twice.text, /already open with the same name, scope and deadline/);
    assert.equal((await stack.db('review_campaigns').where({ name: fields.name })).length, 1);

    // The rule: the sponsor, else the item's owner, else the admins.
    assert.equal((await rowFor(id, 'gina@acme.test', 'Partner Wiki')).reviewer_id, samId);
    assert.equal((await rowFor(id, 'gina@acme.test', 'Quality Reviews')).reviewer_id, samId);
    assert.equal((await rowFor(id, 'jade@newco.test', 'Project Atlas')).reviewer_id, samId);
    const paulaRow = await rowFor(id, 'paula@acme.test', 'Supplier Portal');
    assert.deepEqual([paulaRow.reviewer_kind, paulaRow.reviewer_id], ['sponsor', samId]);
    const hugoRow = await rowFor(id, 'hugo@newco.test', 'Quality Reviews');
    assert.deepEqual([hugoRow.reviewer_kind, hugoRow.reviewer_id], ['owner', sueId]);
    const ivanRow = await rowFor(id, 'ivan@newco.test', 'Partner Wiki');
    assert.deepEqual([ivanRow.reviewer_kind, ivanRow.reviewer_id], ['admins', null]);
    assert.equal((await auditEvents(stack, { action: 'review.started', target: `review:${id}` })).length, 1);
    assert.match((await admin.go(`${stack.appUrl}/admin`)).text, /One access review is open\.[\s\S]*?href="\/admin\/reviews"/);

    // Each reviewer is mailed once, with the page where they answer.
    const link = `${stack.config.publicUrl}/reviews/${id}`;
    const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /Access review to answer/.test(m.subject));
    assert.match(toSam.text, /4 guest accesses wait for your review in “Partner access, winter”/);
    assert.ok(toSam.text.includes(link), toSam.text);
    await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && /Access review to answer/.test(m.subject) && m.text.includes(link));
    await stack.mail.waitFor((m) => m.to.includes('ada.admin@passerelle.test') && /Access review to answer/.test(m.subject) && /One guest’s access waits/.test(m.text));

    // Sam sees the review in his navigation and his three rows on its page.
    const mine = await sam.go(`${stack.appUrl}/reviews`);
    assert.match(mine.text, /href="\/reviews"/);
    assert.match(mine.text, /Partner access, winter/);
    const page = await sam.go(link);
    assert.equal(page.status, 200);
    assert.match(page.text, /4 rows, page 1 of 1/);
    assert.doesNotMatch(page.text, /hugo@newco\.test/);

    // Keep one with its row's button; remove another without a reason: refused, nothing recorded.
    const gWiki = await rowFor(id, 'gina@acme.test', 'Partner Wiki');
    const gQr = await rowFor(id, 'gina@acme.test', 'Quality Reviews');
    const kept = await sam.submit(page, `/reviews/${id}/decisions`, { keepRow: String(gWiki.id) });
    assert.match(kept.text, /One answer recorded/);
    const noReason = await sam.submit(page, `/reviews/${id}/decisions`, { decision: 'remove', reason: ' ', apply: 'checked', rows: [String(gQr.id)] });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /Give a reason for removing the access/);
    assert.match(noReason.text, new RegExp(`value="${gQr.id}" id="row-${gQr.id}" checked`), 'the ticked row stays ticked');
    assert.equal((await rowFor(id, 'gina@acme.test', 'Quality Reviews')).decision, null);
    const reason = '=HYPERLINK("x") left the project';
    const removed = await sam.submit(page, `/reviews/${id}/decisions`, { decision: 'remove', reason, apply: 'checked', rows: [String(gQr.id)] });
    assert.match(removed.text, /One answer recorded/);
    const decided = await auditEvents(stack, { action: 'review.decided', target: `review:${id}` });
    assert.equal(decided.length, 2);
    assert.deepEqual(JSON.parse(decided[1].details).rows, [gQr.id]);

    // Sam cannot answer Sue's row: 403, and the refusal is in the audit log.
    const foreign = await sam.submit(page, `/reviews/${id}/decisions`, { decision: 'keep', reason: '', apply: 'checked', rows: [String(hugoRow.id)] });
    assert.equal(foreign.status, 403);
    const refused = await auditEvents(stack, { action: 'review.decide', target: `review:${id}`, outcome: 'denied' });
    assert.equal(refused.length, 1);
    assert.deepEqual(JSON.parse(refused[0].details).rows, [hugoRow.id]);
    assert.equal((await rowFor(id, 'hugo@newco.test', 'Quality Reviews')).decision, null);
    // Nor read a review he has no row in (Sue's page is hers).
    const suesPage = await sue.go(link);
    assert.match(suesPage.text, /One row, page 1 of 1/);

    // Ada answers the admins' row: every row matching the filter "ivan".
    const adminRows = await admin.go(`${link}?q=ivan`);
    assert.match(adminRows.text, /One row, page 1 of 1/);
    const adminKept = await admin.submit(adminRows, `/reviews/${id}/decisions`, { decision: 'keep', reason: 'Still on the Atlas project', apply: 'matching', q: 'ivan' });
    assert.match(adminKept.text, /One answer recorded/);

    // Progress per reviewer, and a reminder to the slow ones (Sam: Jade; Sue: Hugo), audited; a second press of the same page sends nothing.
    const detail = await admin.go(`${stack.appUrl}/admin/reviews/${id}`);
    assert.match(detail.text, /Sam Sponsor[\s\S]*?2 of 4/);
    assert.match(detail.text, /Any administrator[\s\S]*?1 of 1/);
    assert.match(detail.text, /0 of 1/);
    const reminded = await admin.submit(detail, `/admin/reviews/${id}/remind`, { seen: '0' });
    assert.match(reminded.text, /2 reviewers were reminded by e-mail/);
    const again = await admin.submit(detail, `/admin/reviews/${id}/remind`, { seen: '0' });
    assert.equal(again.status, 409);
    const reminder = await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && /Reminder: the access review/.test(m.subject));
    assert.match(reminder.text, /One row still waits for your answer/);
    assert.ok(reminder.text.includes(link));
    assert.equal((await auditEvents(stack, { action: 'review.reminded', target: `review:${id}` })).length, 1);

    try {
      // Two days before the deadline: the automatic reminder, once.
      setClockOffsetMs(8 * DAY + 2 * 3_600_000);
      await eventually('the automatic reminder', async () => (await auditEvents(stack, { action: 'review.reminded', target: `review:${id}` })).length === 2);
      await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /Reminder/.test(m.subject));

      // Past the deadline: closed once by one of the two workers, the default and the removals applied.
      setClockOffsetMs(11 * DAY);
      await eventually('the review closed', async () => (await stack.db('review_campaigns').where({ id }).first()).status === 'closed');
      await eventually('the removals applied', async () => (await auditEvents(stack, { action: 'review.applied', target: `review:${id}` })).length === 1);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // more sweeps, on both workers
      assert.equal((await auditEvents(stack, { action: 'review.closed', target: `review:${id}` })).length, 1);
      assert.equal((await auditEvents(stack, { action: 'review.applied', target: `review:${id}` })).length, 1);
      assert.equal((await auditEvents(stack, { action: 'review.reminded', target: `review:${id}` })).length, 2, 'the automatic reminder went once');
      const final = new Map((await rowsOf(id)).map((r) => [`${r.guest_email} ${r.item_name}`, r]));
      assert.equal(final.get('gina@acme.test Partner Wiki').decision, 'keep');
      assert.equal(final.get('gina@acme.test Quality Reviews').decision, 'remove');
      assert.deepEqual([final.get('jade@newco.test Project Atlas').decision, Boolean(final.get('jade@newco.test Project Atlas').defaulted)], ['remove', true]);
      assert.deepEqual([final.get('hugo@newco.test Quality Reviews').decision, Boolean(final.get('hugo@newco.test Quality Reviews').defaulted)], ['remove', true]);
      assert.equal(final.get('ivan@newco.test Partner Wiki').decision, 'keep');
      // Every defaulted row is named in the closing's audit event, as answered ones are in review.decided.
      const [closed] = await auditEvents(stack, { action: 'review.closed', target: `review:${id}` });
      const defaultedIds = [...final.values()].filter((r) => Boolean(r.defaulted)).map((r) => Number(r.id)).sort((a, b) => a - b);
      assert.ok(defaultedIds.length >= 2);
      assert.deepEqual(JSON.parse(closed.details).rows, defaultedIds);

      // The removals are gone, through the admin's removal (audited each); the kept ones stay.
      assert.equal(await holds(gina, 'Quality Reviews'), false);
      assert.equal(await holds(jade, 'Project Atlas'), false);
      assert.equal(await holds(hugo, 'Quality Reviews'), false);
      assert.equal(await holds(paula, 'Supplier Portal'), false);
      assert.equal(await holds(gina, 'Partner Wiki'), true);
      assert.equal(await holds(ivan, 'Partner Wiki'), true);
      const removals = (await auditEvents(stack, { action: 'membership.removed' })).filter((e) => JSON.parse(e.details).review === id);
      assert.deepEqual(removals.map((e) => e.target).sort(), [`user:${gina}`, `user:${hugo}`, `user:${jade}`, `user:${paula}`].sort());

      // A closed review's answers cannot change; its page stays readable.
      const late = await sam.submit(page, `/reviews/${id}/decisions`, { keepRow: String(gQr.id) });
      assert.equal(late.status, 409);
      const history = await sam.go(link);
      assert.match(history.text, /This review closed on/);
      assert.match(history.text, /left the project/);
      // An admin reads every row of it, with its reviewer, and answers none from there.
      const everyRow = await admin.go(`${link}?everyone=1`);
      assert.match(everyRow.text, /6 rows, page 1 of 1/);
      assert.match(everyRow.text, /hugo@newco\.test[\s\S]*?Sue Second/);
      assert.doesNotMatch(everyRow.text, /name="rows"/);

      // The CSV export: one line per row, the default told, a formula-looking reason kept as text.
      const csv = await admin.request('GET', `${stack.appUrl}/admin/reviews/${id}/export.csv`);
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      assert.equal(lines[0], 'review_id,review,round_started,deadline,row_id,guest_name,guest_email,organization,access,reviewer_kind,reviewer_email,decision,by_default,reason,decided_by,decided_at,applied,applied_at');
      assert.equal(lines.length, 7);
      const jadeLine = lines.find((l) => l.includes('jade@newco.test'))!;
      assert.match(jadeLine, /,Project Atlas,sponsor,sam\.sponsor@passerelle\.test,remove,yes,,,/);
      assert.match(jadeLine, /,removed,/);
      const ginaLine = lines.find((l) => l.includes('gina@acme.test') && l.includes('Quality Reviews'))!;
      assert.ok(ginaLine.includes(`"'=HYPERLINK(""x"") left the project"`), ginaLine);
      assert.match(ginaLine, /Acme Industries/);
      assert.equal((await auditEvents(stack, { action: 'review.exported', target: `review:${id}` })).length, 1);

      // The next round is scheduled three months after the first started.
      const next = await stack.db('review_campaigns').where({ previous_id: id }).first();
      assert.ok(next, 'the next round');
      assert.equal(next.status, 'scheduled');
      const first = await stack.db('review_campaigns').where({ id }).first();
      assert.equal(new Date(next.starts_at).getUTCMonth(), (new Date(first.starts_at).getUTCMonth() + 3) % 12);

      // The API: the review, its two rounds, the first round's decisions, a page at a time.
      const token = (await buildApiClient(stack, { name: 'reviews reader', scopes: ['AccessReview.Read.All'] })).token;
      const other = (await buildApiClient(stack, { name: 'users reader', scopes: ['User.Read.All'] })).token;
      const api = (path: string, t = token) => supertest(stack.appUrl).get(`/v1.0/identityGovernance/accessReviews/definitions${path}`).set('Authorization', `Bearer ${t}`);
      assert.equal((await api('', other)).status, 403);
      const defs = await api('');
      assert.equal(defs.status, 200);
      assert.equal(defs.body.value.length, 1);
      assert.equal(defs.body.value[0].id, String(id));
      assert.equal(defs.body.value[0].displayName, 'Partner access, winter');
      assert.equal(defs.body.value[0].settings.defaultDecision, 'Deny');
      assert.deepEqual(defs.body.value[0].settings.recurrence.pattern, { type: 'absoluteMonthly', interval: 3 });
      const instances = await api(`/${id}/instances`);
      assert.deepEqual(instances.body.value.map((i: { status: string }) => i.status), ['Applied', 'NotStarted']);
      const firstPage = await api(`/${id}/instances/${id}/decisions?$top=3`);
      assert.equal(firstPage.status, 200);
      assert.equal(firstPage.body.value.length, 3);
      assert.ok(firstPage.body['@odata.nextLink'], 'a next page');
      const rest = await supertest(stack.appUrl).get(new URL(firstPage.body['@odata.nextLink']).pathname + new URL(firstPage.body['@odata.nextLink']).search).set('Authorization', `Bearer ${token}`);
      const decisions = [...firstPage.body.value, ...rest.body.value];
      assert.equal(decisions.length, 6);
      const jadeDecision = decisions.find((d: { principal: { userPrincipalName: string } }) => d.principal.userPrincipalName === 'jade@newco.test');
      assert.deepEqual([jadeDecision.decision, jadeDecision.decidedByDefault, jadeDecision.applyResult], ['Deny', true, 'AppliedSuccessfully']);
      const ivanDecision = decisions.find((d: { principal: { userPrincipalName: string } }) => d.principal.userPrincipalName === 'ivan@newco.test');
      assert.deepEqual([ivanDecision.decision, ivanDecision.justification, ivanDecision.reviewedBy.userPrincipalName], ['Approve', 'Still on the Atlas project', 'ada.admin@passerelle.test']);
      assert.equal((await api(`/${id}/instances/${next.id}/decisions`)).body.value.length, 0);
      assert.equal((await api(`/999999`)).status, 404);

      // Three months on, the next round opens by itself with the memberships still held.
      setClockOffsetMs(Date.parse(next.starts_at) - Date.now() + 3_600_000);
      await eventually('the next round opened', async () => (await stack.db('review_campaigns').where({ id: next.id }).first()).status === 'open');
      const nextRows = await rowsOf(next.id);
      assert.ok(nextRows.every((r) => !['jade@newco.test', 'hugo@newco.test', 'paula@acme.test'].includes(r.guest_email)), 'removed access is not reviewed again');
      assert.equal((await auditEvents(stack, { action: 'review.started', target: `review:${next.id}` })).length, 1);
    } finally {
      setClockOffsetMs(0);
    }
  });
});
