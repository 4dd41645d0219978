// Steps taken out of order are refused: redeeming without having opened an invitation link, a review
// page without a link, redeeming after the invitation was revoked between opening and confirming,
// deciding a request before it was routed, and approving through the API what a sponsor already
// decided. Each answer is a clear page or Graph error, and nothing changes. And the step that can no
// longer be out of order: a submitted request is routed by its own submission, worker or not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildAccessRequest, buildApiClient } from '../harness/factories.ts';
import { setInvitationStatus } from '../harness/rowEdits.ts';
import { approversOf, auditEvents, countRows, mailsLike, requestRow, userByEmail } from '../harness/stored.ts';
import { startWorker, type WorkerHandle } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';

let stack: Stack;
let secondWorker: WorkerHandle | undefined;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await secondWorker?.close();
  await stack?.stop();
});

const count = (table: string) => countRows(stack, table);

test('confirming a redemption without having opened an invitation link is refused', async () => {
  const gary = new Browser();
  await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
  const review = await gary.go(`${stack.appUrl}/redeem`);
  assert.equal(review.status, 404);
  assert.match(review.text, /not valid/);
  const home = await gary.go(`${stack.appUrl}/`);
  const before = await count('user_identities');
  const post = await gary.submit(home, '/redeem', {});
  assert.equal(post.status, 404);
  assert.equal(await count('user_identities'), before);
});

test('a submitted request is routed by its own submission: with no worker running, its sponsor already has it in the inbox', async () => {
  await stack.worker.close();
  const paula = new Browser();
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']);
  assert.ok((await requestRow(stack, id)).routed_at, 'routed when it was stored');
  const sam = await userByEmail(stack, 'sam.sponsor@passerelle.test');
  assert.deepEqual((await approversOf(stack, id)).map((a) => Number(a.user_id)), [Number(sam.id)]);
  const sponsor = new Browser();
  await sponsor.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const inbox = await sponsor.go(`${stack.appUrl}/inbox`);
  assert.match(inbox.text, new RegExp(`href="/inbox/${id}"`));
  const page = await sponsor.go(`${stack.appUrl}/inbox/${id}`);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /name="decision"/);
  // Only the mail waits for a worker: queued once, with its outbox row.
  const mails = await mailsLike(stack, `request:${id}:route:%`);
  assert.deepEqual(mails.map((m) => [m.to_address, m.status]), [['sam.sponsor@passerelle.test', 'queued']]);
  const routed = await auditEvents(stack, { action: 'request.routed', target: `request:${id}` });
  assert.equal(routed.length, 1);
  assert.equal(routed[0].actor_id, 'system:routing');
});

test('a sponsor cannot decide before the request is routed to them, nor the API after a sponsor decided', async () => {
  // Stored as the version before this one stored a submission, with an outbox row for the route job: the
  // worker is still stopped, so it waits, and nobody is its approver yet.
  const id = await buildAccessRequest(stack, { requester: 'paula@acme.test', items: ['Partner Wiki'], justification: 'Submitted before routing moved into the submission.', routed: false });
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const early = await decide(stack, sam, id, 'approve');
  assert.equal(early.status, 403);
  assert.equal((await requestRow(stack, id)).status, 'pending');
  // A worker routes it from its outbox row, as it did every request before.
  secondWorker = await startWorker({ config: stack.config, db: stack.db }, createLogger(stack.config.logLevel, 'test'));
  await waitUntilRouted(stack, id);
  const approved = await decide(stack, sam, id, 'approve');
  assert.equal(approved.status, 200, approved.text.slice(0, 300));

  const { token } = await buildApiClient(stack, { name: 'late approver', scopes: ['AccessRequest.ReadWrite.All'] });
  const late = await supertest(stack.appUrl).post(`/v1.0/accessRequests/${id}/deny`).set('Authorization', `Bearer ${token}`).send({ reason: 'too late' });
  assert.equal(late.status, 409);
  assert.equal(late.body.error.code, 'Request_Conflict');
  assert.notEqual((await requestRow(stack, id)).status, 'denied');
});

test('an invitation revoked between opening the link and confirming cannot be redeemed', async () => {
  const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
  const paula = new Browser();
  await paula.go(redeemLink(mail.text));
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const review = await paula.go(`${stack.appUrl}/redeem`);
  assert.equal(review.status, 200, review.text.slice(0, 300));
  await setInvitationStatus(stack, { email: 'paula@acme.test', status: 'pending' }, 'revoked');
  const post = await paula.submit(review, '/redeem', {});
  assert.equal(post.status, 404);
  assert.equal(await stack.db('user_identities').where({ subject: 'acme-paula' }).first(), undefined);
});
