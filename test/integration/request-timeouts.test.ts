// Pending requests don't rot (issue 18, point 1): a request nobody decides reminds its approvers after
// N days and is escalated to fallback approvers after M days, once each even with two workers sweeping;
// after K days it expires and the partner is mailed a link that asks again for the same items. A catalog
// item's own time-outs override the tenant's; a question the requester never answers expires the
// request too. Every step is an audit event on the request and a line of its history. Time passes by
// moving the one clock (setClockOffsetMs); the sweeps are the real workers'.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAccessRequest, buildApiClient, systemContext } from '../harness/factories.ts';
import { approversOf, auditEvents, userByEmail } from '../harness/stored.ts';
import { askedAndUnanswered } from '../harness/rowEdits.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';
import { startWorker, type WorkerHandle } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';
import { escalateDueRequests, remindDueRequests } from '../../src/commands/requestTimeouts.ts';

let stack: Stack;
let second: WorkerHandle;
const admin = new Browser();

const DAY = 86_400_000;
const HOUR = 3_600_000;

before(async () => {
  // A sweep several times a second, so that the test waits on events, not minutes.
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
  // A second worker on the same database and Redis: both sweep, neither may act twice.
  second = await startWorker({ config: stack.config, db: stack.db }, createLogger(stack.config.logLevel, 'test'));
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  setClockOffsetMs(0);
  await second?.close();
  await stack?.stop();
});

const mailsTo = (to: string, subject: RegExp) => stack.mail.messages().filter((m) => m.to.includes(to) && subject.test(m.subject));
const events = (action: string, id: number) => auditEvents(stack, { action, target: `request:${id}` });
/** Long enough for several sweeps (every 200 ms) of both workers to have run and delivered their mail. */
const severalSweeps = () => new Promise((resolve) => setTimeout(resolve, 1500));

describe('pending requests that time out', () => {
  test('reminded at 3 days and escalated to the organization’s other sponsor at 7, once each with two workers; nothing before', async () => {
    // Paula asks for Quality Reviews, a self-service item: it goes to Sue, its owner. Sam, Acme's
    // sponsor, is the fallback approver.
    const paula = new Browser();
    const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Quality Reviews']);
    await waitUntilRouted(stack, id);
    const sue = 'sue.sponsor@passerelle.test';
    const sam = 'sam.sponsor@passerelle.test';
    try {
      // Two days and 23 hours: nothing yet.
      setClockOffsetMs(3 * DAY - HOUR);
      await severalSweeps();
      assert.equal((await events('request.reminded', id)).length, 0, 'no reminder before 3 days');
      assert.equal(mailsTo(sue, /^Reminder/).length, 0);

      // Three days: Sue is reminded, once, with a link to the request in her inbox.
      setClockOffsetMs(3 * DAY + HOUR);
      const reminder = await stack.mail.waitFor((m) => m.to.includes(sue) && /^Reminder: request #\d+ from Paula Partner waits for your decision$/.test(m.subject));
      assert.ok(reminder.subject.includes(`#${id}`), reminder.subject);
      assert.match(reminder.text, /asked for access to Quality Reviews 3 days ago/);
      assert.ok(reminder.text.includes(`${stack.config.publicUrl}/inbox/${id}`), reminder.text);
      // The sweeps go on in both workers, and the command run twice more by hand at once: still one.
      await Promise.all([remindDueRequests(stack, systemContext()), remindDueRequests(stack, systemContext())]);
      await severalSweeps();
      const reminded = await events('request.reminded', id);
      assert.equal(reminded.length, 1, 'reminded once');
      assert.equal(reminded[0].actor_type, 'system');
      assert.deepEqual(JSON.parse(reminded[0].details).approvers, [sue]);
      assert.equal(mailsTo(sue, /^Reminder/).length, 1, 'one reminder mail');
      assert.equal((await events('request.escalated', id)).length, 0, 'not escalated before 7 days');
      assert.equal(mailsTo(sam, /needs a decision/).length, 0);

      // Seven days: escalated to Sam, once; he is mailed and routed as an escalated approver.
      setClockOffsetMs(7 * DAY + HOUR);
      const escalation = await stack.mail.waitFor((m) => m.to.includes(sam) && m.subject === `Request #${id} from Paula Partner needs a decision`);
      assert.match(escalation.text, /7 days ago and nobody has decided yet/);
      assert.ok(escalation.text.includes(`${stack.config.publicUrl}/inbox/${id}`), escalation.text);
      await Promise.all([escalateDueRequests(stack, systemContext()), escalateDueRequests(stack, systemContext())]);
      await severalSweeps();
      const escalated = await events('request.escalated', id);
      assert.equal(escalated.length, 1, 'escalated once');
      assert.deepEqual(JSON.parse(escalated[0].details).approvers, [sam]);
      assert.equal(mailsTo(sam, /needs a decision/).length, 1, 'one escalation mail');
      assert.equal(mailsTo(sue, /^Reminder/).length, 1, 'Sue is not reminded again');
      const samId = Number((await userByEmail(stack, sam)).id);
      assert.ok((await approversOf(stack, id)).some((a) => Number(a.user_id) === samId && a.escalated_at), 'Sam is routed as an escalated approver');
    } finally {
      setClockOffsetMs(0);
    }

    // Sam, who the routing rule alone would not name, finds it in his inbox and decides it.
    const samBrowser = new Browser();
    await samBrowser.signIn(stack.appUrl, 'ours', sam);
    const inbox = await samBrowser.go(`${stack.appUrl}/inbox`);
    assert.ok(inbox.text.includes(`/inbox/${id}"`), 'in Sam’s inbox');
    const page = await samBrowser.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Still waiting: the approvers were reminded/);
    assert.match(page.text, /Still waiting: other approvers were asked to decide/);
    const denied = await samBrowser.submit(page, `/inbox/${id}/decision`, { decision: 'deny', reason: 'Quality Reviews is for suppliers under contract.' });
    assert.equal(denied.status, 200, denied.text.slice(0, 300));
    assert.equal((await stack.db('access_requests').where({ id }).first()).status, 'denied');

    // Paula's page tells the same history, in her words.
    const mine = await paula.go(`${stack.appUrl}/requests/${id}`);
    assert.match(mine.text, /Still waiting: the approvers were reminded/);
    assert.match(mine.text, /Still waiting: other approvers were asked to decide/);
  });

  test('an item’s own time-outs override the tenant’s: reminded after 1 day, never escalated, expired after 2 with a mail to ask again', async () => {
    const [portalId] = (await catalogIds(stack, ['Supplier Portal'])).map(Number);
    const form = await admin.go(`${stack.appUrl}/admin/catalog/${portalId}`);
    assert.match(form.text, /Pending requests/);
    assert.match(form.text, /Default: 3/);
    const fields = {
      kind: 'app',
      name: 'Supplier Portal',
      description: 'Orders, invoices and delivery schedules.',
      launch_url: 'https://suppliers.passerelle.test/',
      max_days: '365',
      requestable: '1',
      audience: 'anyone',
      second_approval: '',
    };
    // Out of order: refused, said on the field, nothing saved.
    const refused = await admin.submit(form, `/admin/catalog/${portalId}`, { ...fields, remind_after_days: '5', escalate_after_days: '', expire_after_days: '2' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Expire after more days than the reminder and the escalation\./);
    assert.equal((await stack.db('catalog_items').where({ id: portalId }).first()).expire_after_days, null);
    // Remind after 1 day, no escalation, expire after 2.
    await admin.submit(form, `/admin/catalog/${portalId}`, { ...fields, remind_after_days: '1', escalate_after_days: '0', expire_after_days: '2' });
    const item = await stack.db('catalog_items').where({ id: portalId }).first();
    assert.deepEqual([item.remind_after_days, item.escalate_after_days, item.expire_after_days].map(Number), [1, 0, 2]);
    const [saved] = await auditEvents(stack, { action: 'catalog.item_updated', target: `item:${portalId}` });
    assert.deepEqual(JSON.parse(saved.details).changes.expire_after_days, [null, 2], 'audited with the item');

    const pete = new Browser();
    const { id } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', ['Supplier Portal']);
    await waitUntilRouted(stack, id);
    try {
      setClockOffsetMs(DAY + HOUR);
      await eventually('reminded after one day', async () => (await events('request.reminded', id)).length === 1);
      setClockOffsetMs(2 * DAY + HOUR);
      const expired = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && m.subject === `Your request #${id} expired`);
      assert.match(expired.text, /Your request #\d+ for Supplier Portal expired: nobody decided it within 2 days\./);
      const askAgain = `${stack.config.publicUrl}/requests/new?item=${portalId}`;
      assert.ok(expired.text.includes(askAgain), expired.text);
      assert.ok(expired.html?.includes(`href="${askAgain}"`), 'the HTML mail’s button asks again');
      await severalSweeps();
    } finally {
      setClockOffsetMs(0);
    }
    assert.equal((await events('request.escalated', id)).length, 0, 'escalation is off for this item');
    const [expiredEvent, ...more] = await events('request.expired', id);
    assert.equal(more.length, 0, 'expired once');
    assert.equal(JSON.parse(expiredEvent.details).reason, 'waited');
    assert.equal(mailsTo('pete@acme.test', /expired/).length, 1);
    assert.equal((await stack.db('access_requests').where({ id }).first()).status, 'expired');

    // Pete's page says so and offers to ask again; the form opens with the item chosen.
    const page = await pete.go(`${stack.appUrl}/requests/${id}`);
    assert.match(page.text, /This request expired: nobody decided it in time\./);
    assert.match(page.text, /Expired without a decision/);
    assert.ok(page.text.includes(`href="/requests/new?item=${portalId}"`), 'Ask again links to the form');
    const again = await pete.go(`${stack.appUrl}/requests/new?item=${portalId}`);
    assert.match(again.text, new RegExp(`value="${portalId}" checked`));

    // Sam, who was to decide it, sees it among his recent requests, expired.
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const inbox = await sam.go(`${stack.appUrl}/inbox`);
    assert.match(inbox.text, new RegExp(`href="/inbox/${id}">Request #${id}</a> — Pete Peer — <span class="status status-expired">Expired</span>`));

    // The Graph-shaped API lists it under status expired.
    const { token } = await buildApiClient(stack, { scopes: ['AccessRequest.Read.All'] });
    const res = await fetch(`${stack.appUrl}/v1.0/accessRequests?$filter=${encodeURIComponent("status eq 'expired'")}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { value: { id: string | number; status: string }[] };
    assert.ok(body.value.some((r) => String(r.id) === String(id) && r.status === 'expired'), JSON.stringify(body));
  });

  test('the tenant’s defaults are set on the Settings page, in order', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/settings`);
    assert.match(page.text, /Pending requests/);
    assert.match(page.text, /name="request_expire_days"[^>]*value="14"/);
    const base = { unknown_domains_may_request: '1', default_language: 'en' };
    const refused = await admin.submit(page, '/admin/settings', { ...base, request_remind_days: '3', request_escalate_days: '2', request_expire_days: '14' });
    assert.equal(refused.status, 400, refused.text.slice(0, 2000));
    assert.match(refused.text, /Escalate after more days than the reminder\./);
    const saved = await admin.submit(page, '/admin/settings', { ...base, request_remind_days: '3', request_escalate_days: '', request_expire_days: '10' });
    assert.equal(saved.status, 200);
    const rows = Object.fromEntries((await stack.db('settings').where('key', 'like', 'request_%_days')).map((r) => [r.key, r.value]));
    assert.deepEqual(rows, { request_remind_days: '3', request_escalate_days: '', request_expire_days: '10' });
    const [event] = (await auditEvents(stack, { action: 'settings.updated', target: 'settings' })).slice(-1);
    assert.deepEqual(JSON.parse(event.details).changes.requestTimeouts[1], { remind: 3, escalate: null, expire: 10 });
    // Back to the defaults for the next test.
    await admin.submit(page, '/admin/settings', { ...base, request_remind_days: '3', request_escalate_days: '7', request_expire_days: '14' });
  });

  test('with nobody else to escalate to (the admins already decide it), the escalation is on record as failed and the admin is reminded again', async () => {
    // Zoe's domain belongs to no partner organization: her request goes to the admins.
    const id = await buildAccessRequest(stack, { requester: 'zoe@nowhere.test', idp: 'email-code', name: 'Zoe Nowhere' });
    await waitUntilRouted(stack, id);
    const ada = 'ada.admin@passerelle.test';
    try {
      // A worker that was down for a week: escalation and reminder are both due; the escalation is taken.
      setClockOffsetMs(7 * DAY + HOUR);
      await eventually('escalation recorded', async () => (await events('request.escalated', id)).length === 1);
      await stack.mail.waitFor((m) => m.to.includes(ada) && m.subject === `Reminder: request #${id} from Zoe Nowhere waits for your decision`);
      await severalSweeps();
    } finally {
      setClockOffsetMs(0);
    }
    const [escalated] = await events('request.escalated', id);
    assert.equal(escalated.outcome, 'failure');
    assert.equal((await events('request.reminded', id)).length, 0, 'no separate reminder once escalated');
    assert.equal(mailsTo(ada, new RegExp(`^Reminder: request #${id} from Zoe`)).length, 1, 'one reminder');
  });

  test('a question the requester never answers expires the request 14 days after it was asked', async () => {
    const gary = new Browser();
    const { id } = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', ['Partner Wiki']);
    await waitUntilRouted(stack, id);
    await askedAndUnanswered(stack, id);
    try {
      setClockOffsetMs(14 * DAY - HOUR);
      await severalSweeps();
      assert.equal((await events('request.expired', id)).length, 0, 'not before 14 days');
      assert.equal((await events('request.reminded', id)).length, 0, 'a request waiting on its requester is not reminded');
      setClockOffsetMs(14 * DAY + HOUR);
      const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && m.subject === `Your request #${id} expired`);
      assert.match(mail.text, /expired: the question asked about it stayed unanswered for 14 days\./);
    } finally {
      setClockOffsetMs(0);
    }
    const [event] = await events('request.expired', id);
    assert.equal(JSON.parse(event.details).reason, 'unanswered');
    const page = await gary.go(`${stack.appUrl}/requests/${id}`);
    assert.match(page.text, /This request expired: the question asked about it went unanswered\./);
    assert.match(page.text, /The question asked went unanswered\./);
  });

  test('a sponsor removed from the organization (their routed row left behind) is not reminded: they no longer decide it', async () => {
    const { id } = await submitAsPartner(stack, new Browser(), 'acme', 'pete@acme.test', ['Project Atlas']);
    await waitUntilRouted(stack, id);
    const sam = 'sam.sponsor@passerelle.test';
    const samId = Number((await userByEmail(stack, sam)).id);
    assert.deepEqual((await approversOf(stack, id)).map((a) => Number(a.user_id)), [samId]);
    const orgId = Number((await stack.db('access_requests').where({ id }).first()).organization_id);
    // Removed outside the admin's page (which would re-route): only the routed row says he decides.
    await stack.db('organization_sponsors').where({ organization_id: orgId, user_id: samId }).del();
    try {
      setClockOffsetMs(3 * DAY + HOUR);
      await eventually('the reminder step taken', async () => (await events('request.reminded', id)).length === 1);
      await severalSweeps();
    } finally {
      setClockOffsetMs(0);
      await stack.db('organization_sponsors').insert({ organization_id: orgId, user_id: samId });
    }
    assert.equal(mailsTo(sam, new RegExp(`^Reminder: request #${id} `)).length, 0, 'Sam is not reminded');
    assert.deepEqual(JSON.parse((await events('request.reminded', id))[0].details).approvers, []);
  });
});
