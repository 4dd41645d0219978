import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { setInvitationStatus, unpublishOutbox } from '../harness/rowEdits.ts';
import { auditEvents, countRows, guestsWithEmail, invitationsForRequest, membershipsOf, userByEmail } from '../harness/stored.ts';
import { routeRequest } from '../../workers/routeRequest.ts';
import { provisionRequest } from '../../workers/provision.ts';
import { jobContext } from '../../src/queue/system.ts';
import { relayOnce } from '../../src/queue/relay.ts';
import { sendMail } from '../../workers/sendMail.ts';
import { sweepOnce } from '../../src/queue/sweeper.ts';
import { createTransport } from '../../src/mail/transport.ts';

let stack: Stack;
let requestId = 0;
before(async () => {
  stack = await startStack();
  const paula = new Browser();
  requestId = (await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki', 'Quality Reviews'])).id;
  await waitUntilRouted(stack, requestId);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await decide(stack, sam, requestId, 'approve');
  await eventually('invitation mailed', async () =>
    (await stack.db('mail_messages').where({ to_address: 'paula@acme.test', status: 'sent' }).first()) ?? null);
});
after(async () => {
  await stack?.stop();
});

async function counts() {
  const n = (table: string) => countRows(stack, table);
  return {
    users: await n('users'),
    memberships: await n('memberships'),
    invitations: await n('invitations'),
    approvers: await n('access_request_approvers'),
    mails: await n('mail_messages'),
  };
}

test('running the routing and provisioning jobs again changes nothing', async () => {
  const before = await counts();
  const ctx = jobContext('test', 'rerun');
  assert.equal(await routeRequest(stack, ctx, { requestId }), 'skipped');
  assert.equal(await provisionRequest(stack, ctx, { requestId }), 'skipped');
  assert.deepEqual(await counts(), before);
});

test('the relay publishing every outbox row a second time delivers no second invitation or e-mail', async () => {
  const before = await counts();
  const sentBefore = stack.mail.messages().length;
  await unpublishOutbox(stack);
  await relayOnce(stack.db, stack.worker.queues, 1000);
  // Give the worker time to run whatever was enqueued again.
  await new Promise((r) => setTimeout(r, 1500));
  await eventually('queues drained', async () => {
    const waiting = await Promise.all(Object.values(stack.worker.queues).filter((q) => typeof q === 'object').map((q) => (q as { getJobCounts(): Promise<{ waiting: number; active: number }> }).getJobCounts()));
    return waiting.every((c) => c.waiting === 0 && c.active === 0);
  });
  assert.deepEqual(await counts(), before);
  assert.equal(stack.mail.messages().length, sentBefore, 'no mail sent twice');
});

test('exactly one guest, one invitation and each membership once', async () => {
  assert.equal((await guestsWithEmail(stack, 'paula@acme.test')).length, 1);
  assert.equal((await invitationsForRequest(stack, requestId)).length, 1);
  const guest = await userByEmail(stack, 'paula@acme.test');
  assert.equal((await membershipsOf(stack, guest.id)).length, 2);
  assert.equal(stack.mail.messages().filter((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject)).length, 1);
});

test('an invitation mail whose invitation was revoked before it left is cancelled, never sent, and not swept again', async () => {
  const guest = await userByEmail(stack, 'paula@acme.test');
  const inv = await stack.db('invitations').where({ user_id: guest.id }).first();
  // By hand, as no command leaves one: queued an hour ago, its send job lost, so only the sweeper would find it.
  const [row] = await stack.db('mail_messages')
    .insert({
      dedupe_key: `invitation:${inv.id}:resend:test`, kind: 'invitation', reference: inv.id, to_address: 'paula@acme.test', subject: 'You are invited', text_body: 'Accept: {{redeem-link}}',
      html_body: '', status: 'queued', attempts: 0, created_at: new Date(Date.now() - 3_600_000).toISOString(),
    })
    .returning('id');
  const mailId = (row as { id: number }).id;
  await setInvitationStatus(stack, { id: inv.id }, 'revoked');
  const sentBefore = stack.mail.messages().length;
  assert.equal(await sendMail({ ...stack, transport: createTransport(stack.config) }, jobContext('test', 'cancel'), { mailId }), 'skipped');
  const mail = await stack.db('mail_messages').where({ id: mailId }).first();
  assert.equal(mail.status, 'cancelled');
  assert.equal((await auditEvents(stack, { action: 'mail.cancelled', target: `mail:${mailId}` })).length, 1);
  await sweepOnce(stack, stack.worker.queues);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(stack.mail.messages().length, sentBefore, 'nothing was sent');
  await setInvitationStatus(stack, { id: inv.id }, inv.status);
});
