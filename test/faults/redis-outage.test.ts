// Fault test 1 of issue 4: Redis dies while partners submit. Every submission is answered and
// stored (sessions and the outbox are in the database) and routed to its sponsor (in the
// submission's own transaction); when Redis returns, each sponsor mail goes out exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { allMailSent, auditEvents, requestsOf } from '../harness/stored.ts';

const N = 500;
let stack: Stack;
before(async () => {
  stack = await startStack({ env: { SWEEP_INTERVAL_MS: '1000', SWEEP_GRACE_MS: '3000' } });
});
after(async () => {
  await stack?.stop();
});

test(`${N} submissions while Redis is down are all answered, stored and routed once; their mails go out once when it returns`, async () => {
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const items = await catalogIds(stack, ['Partner Wiki']);

  const t0 = Date.now();
  // Where the time went, in the test's output: a slow machine and a stall look different.
  const phase = (name: string) => console.log(`${name} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await stack.redis.kill('SIGKILL');
  const answered: number[] = [];
  for (let i = 0; i < N; i++) {
    // A bound on a hang, not a speed target: a submission must never wait for Redis to come back.
    const page = await Promise.race([
      paula.submit(form, '/requests', { items, justification: `Submission ${i} while Redis is down.` }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`submission ${i} hung`)), 10_000)),
    ]);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.text, /Your request was submitted/);
    answered.push(i);
  }
  assert.equal(answered.length, N);
  const stored = await requestsOf(stack, 'paula@acme.test');
  assert.equal(stored.length, N);
  assert.equal(stored.filter((r) => r.routed_at).length, N, 'routing needs no Redis: each request is routed as it is stored');
  const audit = await auditEvents(stack, { action: 'request.submitted' });
  assert.equal(audit.length, N);
  const sponsorMails = await stack.db('mail_messages').where('dedupe_key', 'like', 'request:%:route:%').select('status');
  assert.deepEqual([sponsorMails.length, sponsorMails.filter((m) => m.status === 'sent').length], [N, 0], 'each mail queued once, none could leave without Redis');

  phase(`${N} submissions answered, stored and routed`);
  await stack.redis.restart();
  const routed = await auditEvents(stack, { action: 'request.routed' });
  assert.equal(routed.length, N, 'each request routed once');
  assert.equal(new Set(routed.map((e) => e.target)).size, N);
  const approvers = await stack.db('access_request_approvers');
  assert.equal(approvers.length, N, 'one approver row per request, none twice');
  await eventually('every sponsor mail sent', () => allMailSent(stack), 90_000);
  phase('every sponsor mail sent');
  const mails = stack.mail.messages().filter((m) => m.to.includes('sam.sponsor@passerelle.test'));
  assert.equal(mails.length, N);
  assert.equal(new Set(mails.map((m) => m.subject)).size, N, 'no mail twice');
});
