// Extensions (issue 18, point 5). The expiry notice's button opens a page that asks nothing until the
// guest confirms; the extension is a request for the same item, routed to the sponsor like any other
// and marked as an extension in the inbox; while it waits, no second one is offered. Approved, it
// moves the membership's end to the decision's date plus the item's duration (not the request's, nor
// the old end's), in the same membership; the guest is mailed the new date, and the new term gets
// its own notices. Time passes by moving the one clock; the sweeps are the real worker's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { decide, waitUntilRouted } from '../harness/flows.ts';
import { approversOf, auditEvents, membershipsOf, requestRow, userByEmail } from '../harness/stored.ts';
import { setMembershipEnd } from '../harness/rowEdits.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';
import { addSponsor } from '../../src/commands/admin/guests/addSponsor.ts';

let stack: Stack;
const DAY = 86_400_000;
const HOUR = 3_600_000;

before(async () => {
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
});
after(async () => {
  setClockOffsetMs(0);
  await stack?.stop();
});

const idOf = async (email: string) => Number((await userByEmail(stack, email)).id);
const itemId = async (name: string) => Number((await stack.db('catalog_items').where({ name }).first()).id);
const extensionsOf = (membershipId: number) => stack.db('access_requests').where({ extension_of: membershipId });

describe('extensions', () => {
  test('asked from the notice’s link, approved by the sponsor: the end moves from the decision by the item’s duration', async () => {
    await buildCatalogItem(stack, { name: 'Supplier Specs', maxDays: 90 });
    await buildCatalogItem(stack, { name: 'Supplier Forum', maxDays: 90 });
    const paula = 'paula@acme.test';
    const sam = 'sam.sponsor@passerelle.test';
    const paulaId = await buildGuest(stack, { email: paula, name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Supplier Specs', 'Supplier Forum'] });
    await addSponsor(stack, systemContext(), paulaId, await idOf(sam));
    const specs = await itemId('Supplier Specs');
    const oldEnd = new Date(Date.now() + 10 * DAY);
    await setMembershipEnd(stack, paulaId, specs, oldEnd, new Date(Date.now() - 80 * DAY));
    const membership = (await membershipsOf(stack, paulaId)).find((m) => Number(m.item_id) === specs)!;

    // Ten days before the end, the 14-day notice goes at once, with the button.
    const notice = await stack.mail.waitFor((m) => m.to.includes(paula) && m.subject.startsWith('Your access to Supplier Specs ends on'));
    const link = /(http\S+\/access\/extend\/\d+)/.exec(notice.text)?.[1];
    assert.equal(link, `${stack.config.publicUrl}/access/extend/${membership.id}`);

    // Followed without signing in: sign in first. By another guest: not found. Neither asks anything.
    const anonymous = await new Browser().request('GET', link!);
    assert.equal(anonymous.status, 303);
    assert.match(String(anonymous.headers.location), /signIn/);
    const pete = new Browser();
    await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: ['Supplier Forum'] });
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    assert.equal((await pete.go(link!)).status, 404, 'not her membership');

    const browser = new Browser();
    await browser.signIn(stack.appUrl, 'acme', paula);
    const page = await browser.go(link!);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Ask to extend your access to Supplier Specs<\/h1>/);
    assert.match(page.text, /lasts 90 days from the decision/);
    assert.equal((await extensionsOf(membership.id)).length, 0, 'opening the page asks nothing');

    const asked = await browser.submit(page, `/access/extend/${membership.id}`, { reason: 'The supplier audit runs until March.' });
    assert.equal(asked.status, 200);
    assert.match(asked.url, /\/access\?extension=asked$/);
    assert.match(asked.text, /Your extension request was sent/);
    assert.match(asked.text, /Extension asked: waiting for a decision/);
    assert.doesNotMatch(asked.text, new RegExp(`action="/access/extend/${membership.id}"`), 'no second extension offered');
    const forum = (await membershipsOf(stack, paulaId)).find((m) => Number(m.item_id) !== specs)!;
    assert.match(asked.text, new RegExp(`action="/access/extend/${forum.id}"`), 'the other access still offers one');

    // The mail's page again (another tab): she is told it is already asked, and nothing new is made.
    const twice = await browser.submit(page, `/access/extend/${membership.id}`, { reason: '' });
    assert.equal(twice.status, 409);
    assert.match(twice.text, /You already asked to extend this access/);
    const [request] = await extensionsOf(membership.id);
    assert.ok(request, 'one extension request');
    assert.equal((await extensionsOf(membership.id)).length, 1);
    assert.equal(request.status, 'pending');
    assert.equal(request.justification, 'The supplier audit runs until March.');
    assert.deepEqual((await stack.db('access_request_items').where({ request_id: request.id }).select('item_id')).map((r) => Number(r.item_id)), [specs]);

    // Routed like any other request, and said to be an extension in the sponsor's inbox.
    await waitUntilRouted(stack, request.id);
    assert.deepEqual((await approversOf(stack, request.id)).map((a) => Number(a.user_id)), [await idOf(sam)]);
    const sponsor = new Browser();
    await sponsor.signIn(stack.appUrl, 'ours', sam);
    const inbox = await sponsor.go(`${stack.appUrl}/inbox`);
    assert.match(inbox.text, new RegExp(`/inbox/${request.id}"[^<]*</a>(<[^>]*>[^<]*</span>)* <span class="status">Extension</span>`));
    const detail = await sponsor.go(`${stack.appUrl}/inbox/${request.id}`);
    assert.match(detail.text, /An extension of access the requester already holds/);

    try {
      // Two days later the sponsor approves: the new term counts from then.
      setClockOffsetMs(2 * DAY);
      const decided = await decide(stack, sponsor, request.id, 'approve');
      assert.equal(decided.status, 200, decided.text.slice(0, 300));
      await eventually('provisioned', async () => (await requestRow(stack, request.id)).status === 'provisioned');
      const row = await requestRow(stack, request.id);
      const decidedAt = Date.parse(row.decided_at);
      assert.ok(decidedAt >= Date.now() + 2 * DAY - HOUR, 'decided on the moved clock');
      const after = (await membershipsOf(stack, paulaId)).filter((m) => Number(m.item_id) === specs);
      assert.equal(after.length, 1, 'the same membership, not a second');
      assert.equal(after[0].id, membership.id);
      assert.equal(after[0].expires_at, new Date(decidedAt + 90 * DAY).toISOString(), 'decision + the item’s 90 days');
      assert.equal(after[0].access_ended_at, null);

      const [extended] = await auditEvents(stack, { action: 'membership.extended', target: `user:${paulaId}` });
      assert.ok(extended, 'the extension is on record');
      assert.equal(JSON.parse(extended.details).from, oldEnd.toISOString());
      const mail = await stack.mail.waitFor((m) => m.to.includes(paula) && m.subject === 'Your access to Supplier Specs was extended');
      assert.match(mail.text, /Sam Sponsor approved your extension: your access to Supplier Specs at .* now ends on \d+ \w+ \d{4} at/);
      const access = await browser.go(`${stack.appUrl}/access`);
      assert.doesNotMatch(access.text, /Extension asked/);
      assert.match(access.text, new RegExp(`action="/access/extend/${membership.id}"`), 'a later extension can be asked again');

      // The new term has notices of its own: 14 days before its end, a new one.
      setClockOffsetMs(2 * DAY + 77 * DAY);
      await eventually('a fresh notice', async () => stack.mail.messages().filter((m) => m.to.includes(paula) && m.subject.startsWith('Your access to Supplier Specs ends on')).length === 2);
    } finally {
      setClockOffsetMs(0);
    }
  });
});
