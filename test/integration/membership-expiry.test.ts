// Access that ends on time, with notice (issue 18, point 4). Some days before a membership ends (the
// tenant's 14 and 3), the guest is mailed the date with a button to ask for an extension, and their
// sponsor is told; each notice once, even with two workers sweeping. At the end the membership is
// ended: the guest and the sponsor are mailed, My access no longer lists it, and an app's sign-in is
// refused right after. A guest whose access all ended is disabled after the grace period and removed
// after the further one, once each, audited as the system, and not when something new was granted.
// Time passes by moving the one clock (setClockOffsetMs); the sweeps are the real workers'.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { relyingParty } from '../harness/relyingParty.ts';
import { auditEvents, membershipsOf, userByEmail } from '../harness/stored.ts';
import { setMembershipEnd } from '../harness/rowEdits.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';
import { startWorker, type WorkerHandle } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';
import { addSponsor } from '../../src/commands/admin/guests/addSponsor.ts';
import { addMembership } from '../../src/commands/admin/guests/addMembership.ts';
import { removeMembership } from '../../src/commands/admin/guests/removeMembership.ts';
import { notifyExpiringMemberships } from '../../src/commands/notifyExpiringMemberships.ts';
import { retireInactiveGuests } from '../../src/commands/retireInactiveGuests.ts';

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
/** Long enough for several sweeps (every 200 ms) of both workers to have run and delivered their mail. */
const severalSweeps = () => new Promise((resolve) => setTimeout(resolve, 1500));
const idOf = async (email: string) => Number((await userByEmail(stack, email)).id);
const itemId = async (name: string) => Number((await stack.db('catalog_items').where({ name }).first()).id);

/** A guest with an identity, one membership and a sponsor. */
async function sponsoredGuest(o: { email: string; name: string; idp: string; subject: string; item: string; sponsor: string }) {
  const guestId = await buildGuest(stack, { email: o.email, name: o.name, identity: { idp: o.idp, subject: o.subject }, memberships: [o.item] });
  await addSponsor(stack, systemContext(), guestId, await idOf(o.sponsor));
  return guestId;
}

describe('notices before access ends', () => {
  test('the guest and the sponsor are told at 14 and at 3 days, once each with two workers; nothing before', async () => {
    await buildCatalogItem(stack, { name: 'Expiry Wiki', maxDays: 60 });
    const sam = 'sam.sponsor@passerelle.test';
    const pete = 'pete@acme.test';
    const peteId = await sponsoredGuest({ email: pete, name: 'Pete Peer', idp: 'acme', subject: 'acme-pete', item: 'Expiry Wiki', sponsor: sam });
    const wiki = await itemId('Expiry Wiki');
    await setMembershipEnd(stack, peteId, wiki, new Date(Date.now() + 20 * DAY));
    const [membership] = (await membershipsOf(stack, peteId)).filter((m) => Number(m.item_id) === wiki);
    const notices = () => auditEvents(stack, { action: 'membership.expiry_notice', target: `user:${peteId}` });
    try {
      // Fourteen days and an hour before the end: nothing yet.
      setClockOffsetMs(6 * DAY - HOUR);
      await severalSweeps();
      assert.equal(mailsTo(pete, /^Your access to Expiry Wiki ends on/).length, 0, 'no notice before 14 days');
      assert.equal((await notices()).length, 0);

      // Fourteen days before: Pete is told the date, with one click to ask for an extension; Sam too.
      setClockOffsetMs(6 * DAY + HOUR);
      const notice = await stack.mail.waitFor((m) => m.to.includes(pete) && /^Your access to Expiry Wiki ends on \d+ \w+ \d{4} at \d\d:\d\d UTC$/.test(m.subject));
      assert.match(notice.text, /ends on .*, in 14 days/);
      assert.ok(notice.text.includes(`${stack.config.publicUrl}/access/extend/${membership.id}`), notice.text);
      assert.match(notice.html ?? '', new RegExp(`href="${stack.config.publicUrl}/access/extend/${membership.id}"[^>]*>[^<]*Ask to extend`));
      const toSam = await stack.mail.waitFor((m) => m.to.includes(sam) && m.subject.startsWith('Pete Peer’s access to Expiry Wiki ends on'));
      assert.match(toSam.text, /pete@acme\.test/);
      // The sweeps go on in both workers, and the command run twice more by hand at once: still one.
      await Promise.all([notifyExpiringMemberships(stack, systemContext()), notifyExpiringMemberships(stack, systemContext())]);
      await severalSweeps();
      assert.equal(mailsTo(pete, /^Your access to Expiry Wiki ends on/).length, 1, 'one notice at 14 days');
      assert.equal(mailsTo(sam, /^Pete Peer’s access to Expiry Wiki ends on/).length, 1, 'the sponsor told once');
      const first = await notices();
      assert.equal(first.length, 1, 'audited once');
      assert.equal(first[0].actor_type, 'system');
      assert.equal(JSON.parse(first[0].details).days, 14);

      // Ten days later, three days before the end: the second notice, once.
      setClockOffsetMs(17 * DAY + HOUR);
      const last = await stack.mail.waitFor((m) => m.to.includes(pete) && /in 3 days/.test(m.text) && /^Your access to Expiry Wiki ends on/.test(m.subject));
      assert.ok(last.text.includes(`/access/extend/${membership.id}`));
      await Promise.all([notifyExpiringMemberships(stack, systemContext()), notifyExpiringMemberships(stack, systemContext())]);
      await severalSweeps();
      assert.equal(mailsTo(pete, /^Your access to Expiry Wiki ends on/).length, 2, 'one notice at 14 days, one at 3');
      assert.equal(mailsTo(sam, /^Pete Peer’s access to Expiry Wiki ends on/).length, 2);
      assert.deepEqual((await notices()).map((e) => JSON.parse(e.details).days), [14, 3]);
    } finally {
      setClockOffsetMs(0);
    }
  });

  test('a term shorter than a threshold skips that notice: a 10-day access gets no "14 days" notice when granted, only the 3-day one', async () => {
    await buildCatalogItem(stack, { name: 'Expiry Board', maxDays: 10 });
    const rosa = 'rosa@acme.test';
    const rosaId = await buildGuest(stack, { email: rosa, name: 'Rosa Short', state: 'active', memberships: ['Expiry Board'] });
    await setMembershipEnd(stack, rosaId, await itemId('Expiry Board'), new Date(Date.now() + 10 * DAY));
    await severalSweeps();
    assert.equal(mailsTo(rosa, /^Your access to Expiry Board ends on/).length, 0, 'no notice the moment it is granted');
    try {
      setClockOffsetMs(7 * DAY + HOUR);
      const last = await stack.mail.waitFor((m) => m.to.includes(rosa) && /^Your access to Expiry Board ends on/.test(m.subject));
      assert.match(last.text, /in 3 days/);
      await severalSweeps();
    } finally {
      setClockOffsetMs(0);
    }
    assert.equal(mailsTo(rosa, /^Your access to Expiry Board ends on/).length, 1, 'no 14-day notice for a 10-day term');
    const told = await auditEvents(stack, { action: 'membership.expiry_notice', target: `user:${rosaId}` });
    assert.deepEqual(told.map((e) => JSON.parse(e.details).days), [3]);
  });
});

describe('access that ends', () => {
  test('at its end the membership is ended once: guest and sponsor mailed, gone from My access, the app refuses her sign-in right after', async () => {
    await buildCatalogItem(stack, { kind: 'app', name: 'Expiry Docs', maxDays: 30 });
    const app = await buildAppClient(stack, { item: 'Expiry Docs' });
    const sue = 'sue.sponsor@passerelle.test';
    const gary = 'gary@globex.test';
    const garyId = await sponsoredGuest({ email: gary, name: 'Gary Guest', idp: 'globex', subject: 'globex-gary', item: 'Expiry Docs', sponsor: sue });
    const browser = new Browser();
    await browser.signIn(stack.appUrl, 'globex', gary);
    const rp = await relyingParty(stack.appUrl, app);
    const tokens = await rp.signIn(browser);
    assert.ok(tokens.refresh_token, 'signed in to the app while the access runs');
    assert.match((await browser.go(`${stack.appUrl}/access`)).text, /Expiry Docs/);

    await setMembershipEnd(stack, garyId, app.itemId, new Date(Date.now() + 2 * DAY));
    try {
      setClockOffsetMs(2 * DAY + HOUR);
      const ended = await eventually('the end acted on', async () => {
        const [e] = await auditEvents(stack, { action: 'membership.expired', target: `user:${garyId}` });
        return e;
      });
      assert.equal(ended.actor_type, 'system');
      assert.equal(JSON.parse(ended.details).item, 'Expiry Docs');
      // Right after: her next sign-in at the app is refused, and her refresh token too once the app is told.
      const again = await rp.start();
      const step = await rp.browse(browser, again.url);
      assert.ok('page' in step, 'no code for the app');
      assert.match(step.page.text, /You don(&#39;|')t have access to Expiry Docs/);
      await eventually('the refresh token refused', async () => {
        try {
          await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
          return false;
        } catch (err) {
          return (err as { error?: string }).error === 'invalid_grant';
        }
      });

      const toGary = await stack.mail.waitFor((m) => m.to.includes(gary) && m.subject === 'Your access to Expiry Docs has ended');
      assert.ok(toGary.text.includes(`${stack.config.publicUrl}/requests/new`), 'she can ask again');
      await stack.mail.waitFor((m) => m.to.includes(sue) && m.subject === 'Gary Guest’s access to Expiry Docs has ended');
      const access = await browser.go(`${stack.appUrl}/access`);
      assert.equal(access.status, 200);
      assert.doesNotMatch(access.text, /Expiry Docs/, 'My access no longer lists it');
      const row = (await membershipsOf(stack, garyId)).find((m) => Number(m.item_id) === app.itemId);
      assert.ok(row?.access_ended_at, 'the end is marked, the row kept for the record');

      await severalSweeps();
      assert.equal((await auditEvents(stack, { action: 'membership.expired', target: `user:${garyId}` })).length, 1, 'ended once');
      assert.equal(mailsTo(gary, /^Your access to Expiry Docs has ended$/).length, 1, 'mailed once');
      assert.equal(mailsTo(sue, /^Gary Guest’s access to Expiry Docs has ended$/).length, 1);
    } finally {
      setClockOffsetMs(0);
    }
  });
});

describe('guests whose access all ended', () => {
  test('the settings say when: a mistyped value is shown again with its problem, a valid one saved', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/settings`);
    assert.match(page.text, /<legend>Access expiry<\/legend>/);
    assert.match(page.text, /name="expiry_notice_days"[^>]*value="14, 3"/);
    const wrong = await admin.submit(page, '/admin/settings', { default_language: 'en', unknown_domains_may_request: '1', expiry_notice_days: '14, soon', inactive_disable_days: '30', inactive_remove_days: '90' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Write up to five whole numbers of days/);
    assert.match(wrong.text, /name="expiry_notice_days"[^>]*value="14, soon"/, 'what she typed is kept');
    const saved = await admin.submit(wrong, '/admin/settings', { default_language: 'en', unknown_domains_may_request: '1', expiry_notice_days: '3, 14', inactive_disable_days: '30', inactive_remove_days: '90' });
    assert.equal(saved.status, 200);
    assert.match(saved.text, /name="expiry_notice_days"[^>]*value="14, 3"/);
    const [event] = (await auditEvents(stack, { action: 'settings.updated' })).slice(-1);
    assert.deepEqual(JSON.parse(event.details).changes.accessExpiry[1], { noticeDays: [14, 3], disableAfterDays: 30, removeAfterDays: 90 });
  });

  test('disabled 30 days after the last end and removed 90 days later, once each, audited as the system; not a guest given something new', async () => {
    await buildCatalogItem(stack, { name: 'Expiry Archive', maxDays: 10 });
    await buildCatalogItem(stack, { name: 'Expiry Forever', maxDays: null });
    const rita = await buildGuest(stack, { email: 'rita@acme.test', name: 'Rita Retired', identity: { idp: 'acme', subject: 'acme-rita' }, memberships: ['Expiry Archive'] });
    const nina = await buildGuest(stack, { email: 'nina@acme.test', name: 'Nina New', identity: { idp: 'acme', subject: 'acme-nina' }, memberships: ['Expiry Archive'] });
    await addSponsor(stack, systemContext(), rita, await idOf('ada.admin@passerelle.test'));
    const archive = await itemId('Expiry Archive');
    await setMembershipEnd(stack, rita, archive, new Date(Date.now() - 60_000));
    await setMembershipEnd(stack, nina, archive, new Date(Date.now() - 60_000));
    await eventually('both ends acted on', async () => (await auditEvents(stack, { action: 'membership.expired' })).filter((e) => [`user:${rita}`, `user:${nina}`].includes(e.target)).length === 2);
    // Nina is given something new (with no end) before her grace runs out.
    await addMembership(stack, systemContext(), nina, await itemId('Expiry Forever'), null);
    // Rhea's only access, with no end, is removed by an admin (or a review): that is an end too.
    const rhea = await buildGuest(stack, { email: 'rhea@acme.test', name: 'Rhea Removed', identity: { idp: 'acme', subject: 'acme-rhea' }, memberships: ['Expiry Forever'] });
    await removeMembership(stack, systemContext(), rhea, await itemId('Expiry Forever'));
    const state = async (id: number) => (await stack.db('users').where({ id }).first()).state as string;
    const events = (action: string, id: number) => auditEvents(stack, { action, target: `user:${id}` });
    try {
      setClockOffsetMs(30 * DAY - HOUR);
      await severalSweeps();
      assert.equal(await state(rita), 'active', 'not before 30 days');
      assert.equal(await state(rhea), 'active', 'nor Rhea');

      setClockOffsetMs(30 * DAY + HOUR);
      await eventually('Rita disabled', async () => (await state(rita)) === 'disabled');
      await eventually('Rhea disabled: her access removed is an end like an expiry', async () => (await state(rhea)) === 'disabled');
      await Promise.all([retireInactiveGuests(stack, systemContext()), retireInactiveGuests(stack, systemContext())]);
      await severalSweeps();
      const disabled = await events('guest.disabled', rita);
      assert.equal(disabled.length, 1, 'disabled once');
      assert.equal(disabled[0].actor_type, 'system');
      assert.equal(JSON.parse(disabled[0].details).reason, 'inactive');
      assert.equal(await state(nina), 'active', 'Nina was given something new');
      // She is told why and whom to ask; her sponsor (an admin) is sent to her page, where she can be enabled again.
      const told = await stack.mail.waitFor((m) => m.to.includes('rita@acme.test') && m.subject.startsWith('Your guest account at'));
      assert.match(told.text, /ended 30 days ago/);
      const toAda = await stack.mail.waitFor((m) => m.to.includes('ada.admin@passerelle.test') && m.subject === 'Rita Retired’s guest account was turned off');
      assert.ok(toAda.text.includes(`${stack.config.publicUrl}/admin/guests/${rita}`), toAda.text);
      assert.equal(mailsTo('rita@acme.test', /^Your guest account at/).length, 1, 'told once');

      // Ninety days after her disabling, not before.
      setClockOffsetMs(119 * DAY);
      await severalSweeps();
      assert.equal(await state(rita), 'disabled', 'not removed before 90 more days');

      setClockOffsetMs(120 * DAY + 2 * HOUR);
      await eventually('Rita removed', async () => (await state(rita)) === 'removed');
      await Promise.all([retireInactiveGuests(stack, systemContext()), retireInactiveGuests(stack, systemContext())]);
      await severalSweeps();
      const removed = await events('guest.removed', rita);
      assert.equal(removed.length, 1, 'removed once');
      assert.equal(removed[0].actor_type, 'system');
      assert.equal(JSON.parse(removed[0].details).reason, 'inactive');
      assert.equal((await events('guest.disabled', rita)).length, 1);
      assert.equal(await state(nina), 'active');
      assert.equal((await events('guest.disabled', nina)).length, 0);

      // Her history stays readable: her page, and the audit log's events about her.
      const page = await admin.go(`${stack.appUrl}/admin/guests/${rita}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /Rita Retired/);
      assert.ok((await events('membership.expired', rita)).length === 1);
    } finally {
      setClockOffsetMs(0);
    }
  });
});
