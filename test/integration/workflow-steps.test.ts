// Steps taken out of order are refused: redeeming without having opened an invitation link, a review
// page without a link, redeeming after the invitation was revoked between opening and confirming,
// deciding a request before it was routed, and approving through the API what a sponsor already
// decided. Each answer is a clear page or Graph error, and nothing changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { createApiClient } from '../../src/commands/apiClients.ts';
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

const count = async (table: string) => Number((await stack.db(table).count({ n: '*' }))[0].n);

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

test('a sponsor cannot decide before the request is routed to them, nor the API after a sponsor decided', async () => {
  // The worker is stopped, so the request waits unrouted: nobody is its approver yet.
  await stack.worker.close();
  const paula = new Browser();
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const early = await decide(stack, sam, id, 'approve');
  assert.equal(early.status, 403);
  assert.equal((await stack.db('access_requests').where({ id }).first()).status, 'pending');
  secondWorker = await startWorker({ config: stack.config, db: stack.db }, createLogger(stack.config.logLevel, 'test'));
  await waitUntilRouted(stack, id);
  const approved = await decide(stack, sam, id, 'approve');
  assert.equal(approved.status, 200, approved.text.slice(0, 300));

  const ctx = { actor: { type: 'system' as const, id: 'system:test', label: null }, ip: null, correlationId: 'test' };
  const { token } = await createApiClient(stack.db, ctx, { name: 'late approver', scopes: 'AccessRequest.ReadWrite.All' }, null);
  const late = await supertest(stack.appUrl).post(`/v1.0/accessRequests/${id}/deny`).set('Authorization', `Bearer ${token}`).send({ reason: 'too late' });
  assert.equal(late.status, 409);
  assert.equal(late.body.error.code, 'Request_Conflict');
  assert.notEqual((await stack.db('access_requests').where({ id }).first()).status, 'denied');
});

test('an invitation revoked between opening the link and confirming cannot be redeemed', async () => {
  const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
  const paula = new Browser();
  await paula.go(redeemLink(mail.text));
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const review = await paula.go(`${stack.appUrl}/redeem`);
  assert.equal(review.status, 200, review.text.slice(0, 300));
  await stack.db('invitations').where({ email: 'paula@acme.test', status: 'pending' }).update({ status: 'revoked' });
  const post = await paula.submit(review, '/redeem', {});
  assert.equal(post.status, 404);
  assert.equal(await stack.db('user_identities').where({ subject: 'acme-paula' }).first(), undefined);
});
