// Fault test 3 of issue 4: a worker SIGKILLed in the middle of provisioning, and a worker whose event
// loop stalls past its job lock. Either way: one guest, one invitation, one e-mail, each membership once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { startWorkerProcess, type Proc } from '../harness/processes.ts';
import { auditEvents, guestsWithEmail, invitationsOf, membershipsOf, requestRow } from '../harness/stored.ts';
import { createQueues, JOBS, type Queues } from '../../src/queue/queues.ts';

let stack: Stack;
let queues: Queues;
const procs: Proc[] = [];
const LOCK = { JOB_LOCK_MS: '2000', SMTP_TIMEOUT_MS: '500' };

before(async () => {
  stack = await startStack({ worker: false, env: LOCK });
  queues = createQueues(stack.config);
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await queues?.close(2000);
  await stack?.stop();
});

async function approvedRequest(slug: string, email: string, sponsorEmail: string): Promise<number> {
  const partner = new Browser();
  const { id } = await submitAsPartner(stack, partner, slug, email, ['Partner Wiki', 'Project Atlas']);
  await waitUntilRouted(stack, id);
  const sponsor = new Browser();
  await sponsor.signIn(stack.appUrl, 'ours', sponsorEmail);
  await decide(stack, sponsor, id, 'approve');
  return id;
}

async function assertProvisionedOnce(requestId: number, email: string) {
  await eventually('provisioned', async () => (await requestRow(stack, requestId)).status === 'provisioned', 30_000);
  await stack.mail.waitFor((m) => m.to.includes(email) && /invited/i.test(m.subject), 15_000);
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up, if there were one
  const guests = await guestsWithEmail(stack, email);
  assert.equal(guests.length, 1, 'one guest user');
  assert.equal((await invitationsOf(stack, guests[0].id)).length, 1, 'one invitation');
  assert.equal((await membershipsOf(stack, guests[0].id)).length, 2, 'each membership once');
  assert.equal(stack.mail.messages().filter((m) => m.to.includes(email) && /invited/i.test(m.subject)).length, 1, 'one e-mail');
  assert.equal((await auditEvents(stack, { action: 'request.provisioned', target: `request:${requestId}` })).length, 1);
}

test('a worker killed in the middle of provisioning: the job runs again and everything exists once', async () => {
  const doomed = await startWorkerProcess({ ...stack.env, ...LOCK, FAULTS: 'provision.in-transaction=60000' });
  procs.push(doomed);
  const id = await approvedRequest('acme', 'paula@acme.test', 'sam.sponsor@passerelle.test');
  await eventually('provisioning under way', async () => (await queues[JOBS.provision].getActive()).length > 0, 20_000);
  await new Promise((r) => setTimeout(r, 300)); // inside the transaction, paused
  await doomed.kill('SIGKILL');
  assert.equal((await requestRow(stack, id)).status, 'approved', 'nothing half-done was committed');
  procs.push(await startWorkerProcess({ ...stack.env, ...LOCK }));
  await assertProvisionedOnce(id, 'paula@acme.test');
});

test('a worker whose event loop stalls past the lock: another worker takes the job, and nothing happens twice', async () => {
  for (const p of procs.splice(0)) await p.kill('SIGTERM');
  const stalling = await startWorkerProcess({ ...stack.env, ...LOCK, FAULTS: 'provision.in-transaction.block=6000' });
  procs.push(stalling);
  const id = await approvedRequest('globex', 'gary@globex.test', 'sue.sponsor@passerelle.test');
  await eventually('provisioning under way', async () => (await queues[JOBS.provision].getActive()).length > 0, 20_000);
  // A healthy worker joins while the first one is frozen with its lock expiring.
  procs.push(await startWorkerProcess({ ...stack.env, ...LOCK }));
  await assertProvisionedOnce(id, 'gary@globex.test');
});
