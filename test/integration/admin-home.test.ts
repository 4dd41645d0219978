// The admin home: what waits for someone, what ends soon and what failed, each a card linking to the
// page that acts on it; admins land there when they sign in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAccessRequest, buildCatalogItem, buildGuest, buildInvitation } from '../harness/factories.ts';
import { askedAndUnanswered, expireInvitations } from '../harness/rowEdits.ts';
import { readAuditHead } from '../../src/db/audit.ts';
import { insertCheckpoint } from '../../src/db/auditCheckpoints.ts';
import { signCheckpoint } from '../../src/domain/auditCheckpoint.ts';

let stack: Stack;
const ada = new Browser();
let landing = '';

const DAY = 86_400_000;

before(async () => {
  stack = await startStack();
  // Two requests wait for a decision; the older was made three days (and an hour) ago.
  const older = await buildAccessRequest(stack, { requester: 'paula@acme.test', items: ['Partner Wiki'] });
  await buildAccessRequest(stack, { requester: 'gary@globex.test', items: ['Project Atlas'] });
  await stack.db('access_requests').where({ id: older }).update({ created_at: new Date(Date.now() - 3 * DAY - 3_600_000).toISOString() });
  // A third waits for its requester's answer to a question.
  await askedAndUnanswered(stack, await buildAccessRequest(stack, { requester: 'pete@acme.test', items: ['Partner Wiki'] }));

  // Guests in each state: one membership ends in 10 days, the others in 180 days or never.
  await buildCatalogItem(stack, { name: 'Short Trial', maxDays: 10 });
  await buildGuest(stack, { state: 'active', memberships: ['Short Trial'] });
  await buildGuest(stack, { state: 'active', memberships: ['Partner Wiki', 'Quality Reviews'] });
  await buildGuest(stack, { state: 'disabled' });
  await buildGuest(stack, { state: 'removed' });
  // Two invited guests: one invitation can still be redeemed, the other has expired.
  await buildInvitation(stack, { email: 'ivy@newco.test' });
  await expireInvitations(stack, { id: (await buildInvitation(stack, { email: 'old@newco.test' })).invitationId });

  // A mail that used up its attempts, and a job that failed.
  await stack.db('mail_messages').insert({
    dedupe_key: 'test:admin-home:failed',
    kind: 'notice',
    to_address: 'nobody@newco.test',
    subject: 'Undeliverable',
    text_body: 'x',
    html_body: '<p>x</p>',
    status: 'failed',
    attempts: 5,
    last_error: '550 mailbox unavailable',
    created_at: new Date().toISOString(),
  });
  // A route job without a request id: the handler cannot read it, and with one attempt the job fails.
  await stack.worker.queues['route-request'].add({}, { attempts: 1 });
  await eventually('the job failed', async () => (await stack.worker.queues['route-request'].getJobCounts()).failed === 1);

  landing = (await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test')).url;
});
after(async () => {
  await stack?.stop();
});

/** The text of the card whose heading is `heading`, tags removed and spaces collapsed. */
async function card(heading: string): Promise<{ text: string; html: string }> {
  const page = await ada.go(`${stack.appUrl}/admin`);
  assert.equal(page.status, 200);
  const section = [...page.text.matchAll(/<section class="card"[^>]*>([\s\S]*?)<\/section>/g)].map((m) => m[1]).find((s) => new RegExp(`<h2[^>]*>${heading}</h2>`).test(s));
  assert.ok(section, `a card headed "${heading}"`);
  return { html: section, text: section.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() };
}

describe('the admin home', () => {
  test('an admin lands on it after signing in', () => {
    assert.equal(new URL(landing).pathname, '/admin');
  });

  test('counts the requests waiting and says how long the oldest has waited; links to the inbox', async () => {
    const c = await card('Access requests');
    assert.match(c.text, /Waiting for a decision: 2\b/);
    assert.match(c.text, /Waiting for the requester’s answer to a question: 1\b/);
    assert.match(c.text, /The oldest has waited 3 days\./);
    assert.match(c.html, /<a href="\/inbox">Decide in your inbox<\/a>/);
  });

  test('counts guests by state; links to the guest list', async () => {
    const c = await card('Guests');
    assert.match(c.text, /Invited 2 Active 2 Disabled 1 Removed 1/);
    assert.match(c.html, /<a href="\/admin\/guests">See all guests<\/a>/);
  });

  test('counts the invitations that can still be redeemed', async () => {
    const c = await card('Invitations waiting');
    assert.match(c.text, /not yet redeemed: 1\b/);
    assert.match(c.html, /<a href="\/admin\/guests">Invited guests and their invitations<\/a>/);
  });

  test('counts the memberships ending within 30 days, not later ones', async () => {
    const c = await card('Access ending soon');
    assert.match(c.text, /ending within 30 days: 1\b/);
    assert.match(c.html, /<a href="\/admin\/guests">Guests and their memberships<\/a>/);
  });

  test('counts failed jobs and failed mails; links to the queues', async () => {
    const c = await card('Failed background work');
    assert.match(c.text, /Failed jobs: 1\b/);
    assert.match(c.text, /Failed mails: 1\b/);
    assert.match(c.html, /<a href="\/admin\/queues">Review and retry in Queues<\/a>/);
    const queues = await ada.go(`${stack.appUrl}/admin/queues`);
    assert.match(queues.text, /route-request/);
  });

  test('says when the audit chain was last checkpointed; links to the audit log', async () => {
    let c = await card('Audit chain');
    assert.match(c.text, /No checkpoint of the audit chain has been signed yet\./);
    assert.match(c.html, /<a href="\/admin\/audit">Open the audit log<\/a>/);
    // Signed as the worker signs one, with the stack's key.
    const key = stack.config.audit.signingKey;
    assert.ok(key, 'the test stack has an audit signing key');
    const checkpoint = signCheckpoint(key, await readAuditHead(stack.db), '2026-12-01T09:30:00.000Z');
    assert.ok(await insertCheckpoint(stack.db, checkpoint));
    c = await card('Audit chain');
    assert.match(c.text, new RegExp(`Last signed checkpoint: event ${checkpoint.seq}, at 1 Dec 2026, 09:30 UTC\\.`));
  });

  test('is for admins only: a sponsor is refused and lands on the inbox', async () => {
    const sam = new Browser();
    const signedIn = await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal(new URL(signedIn.url).pathname, '/inbox');
    const page = await sam.go(`${stack.appUrl}/admin`);
    assert.ok([403, 404].includes(page.status), `status ${page.status}`);
    assert.doesNotMatch(page.text, /Failed background work/);
  });
});
