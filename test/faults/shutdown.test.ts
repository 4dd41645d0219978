// Graceful shutdown: SIGTERM to the web and the worker process while they are busy. In-flight HTTP
// requests are answered, a running job finishes (or goes back to the queue), and nothing is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createClient } from 'redis';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, type Page } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { startWebProcess, startWorkerProcess, type Proc } from '../harness/processes.ts';
import { auditEvents, invitationsForRequest, mailsLike, requestRow, requestsOf } from '../harness/stored.ts';
import { createQueues, JOBS, type Queues } from '../../src/queue/queues.ts';

let stack: Stack;
let queues: Queues;
const procs: Proc[] = [];

before(async () => {
  // Web and worker run as child processes on the stack's environment (the web one on its PORT, the
  // address the IdPs call back); this process only watches Bull and the database.
  stack = await startStack({ web: false, worker: false });
  queues = createQueues(stack.config);
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await queues?.close(2000);
  await stack?.stop();
});

/** 'refused' when nothing listens on the port any more, 'open' when a connection was accepted. */
function tryConnect(port: number): Promise<'open' | 'refused' | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : String(err.code)));
  });
}

/** Forgets this minute's rate-limit counters, as if a minute had passed (all tests come from 127.0.0.1). */
async function newRateLimitMinute(): Promise<void> {
  const redis = createClient({ url: stack.redis.url });
  await redis.connect();
  try {
    const keys = await redis.keys(`${stack.config.redisPrefix}:rl:*`);
    if (keys.length) await redis.del(keys);
  } finally {
    redis.destroy();
  }
}

test('SIGTERM to a web process under load: every in-flight submission is answered and stored, then it exits 0', async (t) => {
  const port = stack.config.port;
  const web = await startWebProcess({ ...stack.env, FAULTS: 'submit.after-commit=1500' });
  procs.push(web);
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  assert.equal(form.status, 200, form.text.slice(0, 300));
  const csrf = csrfToken(form.text);
  assert.ok(csrf, 'the form carries a CSRF token');
  const items = await catalogIds(stack, ['Partner Wiki']);

  // Ten submissions at once (within the production limit of 10 a minute); each pauses after its commit.
  const N = 10;
  const answeredAt: number[] = [];
  const submissions = Array.from({ length: N }, (_, i) =>
    paula
      .request('POST', `${stack.appUrl}/requests`, { _csrf: csrf!, items, justification: `Submitted during a shutdown, number ${i + 1}.` })
      .then(
        (page) => {
          answeredAt.push(Date.now());
          return page;
        },
        (err: Error) => {
          answeredAt.push(Date.now());
          return err;
        },
      ),
  );
  // All ten have committed (their rows exist) and are waiting before their response.
  await eventually('all submissions committed', async () => (await requestsOf(stack, 'paula@acme.test')).length === N, 10_000);
  assert.equal(answeredAt.length, 0, 'no submission has been answered yet');

  const sigtermAt = Date.now();
  web.child.kill('SIGTERM');
  // The listener closes at once: a new connection is refused while the old ones are still served.
  await eventually('the listener closed', async () => (await tryConnect(port)) === 'refused', 1000);
  assert.equal(answeredAt.length, 0, 'new connections are refused while the in-flight requests are still being served');

  const answers = await Promise.all(submissions);
  const code = await web.exited;
  const exitedAt = Date.now();
  for (const a of answers) {
    assert.ok(!(a instanceof Error), `an in-flight submission lost its connection: ${a instanceof Error ? a.message : ''}\n${web.output().slice(-2000)}`);
    const page = a as Page;
    assert.equal(page.status, 303, page.text.slice(0, 300));
    assert.match(String(page.headers.location), /^\/requests\/\d+\?submitted=1$/);
  }
  assert.ok(answeredAt.every((t) => t > sigtermAt), 'every submission was answered after the SIGTERM');
  assert.equal(code, 0, `web exit code\n${web.output().slice(-2000)}`);
  t.diagnostic(`web: last answer ${Math.max(...answeredAt) - sigtermAt} ms after SIGTERM, exit after ${exitedAt - sigtermAt} ms`);

  // Nothing lost: the ten requests the partner was sent to are exactly the ten stored, each routed with its sponsor's mail.
  const rows = await requestsOf(stack, 'paula@acme.test');
  assert.equal(rows.length, N);
  const answered = answers.map((a) => Number(/\/requests\/(\d+)/.exec(String((a as Page).headers.location))![1])).sort((x, y) => x - y);
  assert.deepEqual(answered, rows.map((r) => Number(r.id)));
  assert.ok(rows.every((r) => r.routed_at), 'each routed when it was stored');
  const mailed = (await stack.db('mail_messages').where('dedupe_key', 'like', 'request:%:route:%').select('dedupe_key')).map((m) => Number(/^request:(\d+):/.exec(m.dedupe_key)![1]));
  assert.deepEqual(answered.map((id) => mailed.filter((m) => m === id).length), answered.map(() => 1), 'one sponsor mail queued for each');
  assert.equal((await auditEvents(stack, { action: 'request.submitted' })).length, N);

  assert.equal(await tryConnect(port), 'refused', 'nothing listens after the shutdown');
});

test('SIGTERM to a worker in the middle of a job: it exits 0 only after the job completed, leaves nothing behind, and the mail goes out once', async (t) => {
  // The previous test submitted ten requests from 127.0.0.1 this minute; whatever limit the stack
  // configures, this journey starts on a fresh rate-limit minute.
  await newRateLimitMinute();
  const web = await startWebProcess(stack.env);
  procs.push(web);
  const worker = await startWorkerProcess({ ...stack.env, FAULTS: 'provision.in-transaction=2000' });
  procs.push(worker);

  const paula = new Browser();
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki', 'Project Atlas'], 'Provisioned while the worker is being stopped.');
  await waitUntilRouted(stack, id);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const decided = await decide(stack, sam, id, 'approve');
  assert.equal(decided.status, 200, decided.text.slice(0, 300));

  const job = await eventually(
    'the provision job is active',
    async () => (await queues[JOBS.provision].getActive()).find((j) => j.data.requestId === id),
    20_000,
  );
  await new Promise((r) => setTimeout(r, 300)); // inside its transaction, paused
  assert.equal((await requestRow(stack, id)).status, 'approved', 'the job is still running');

  const sigtermAt = Date.now();
  worker.child.kill('SIGTERM');
  const code = await worker.exited;
  const exitedAt = Date.now();
  assert.equal(code, 0, `worker exit code\n${worker.output().slice(-2000)}`);
  t.diagnostic(`worker: exit ${exitedAt - sigtermAt} ms after SIGTERM`);

  // The job finished before the process ended: completed, once, without failing or stalling.
  const finished = (await queues[JOBS.provision].getJob(job.id))!;
  assert.ok(finished, 'the job is still known to Bull');
  assert.equal(await finished.getState(), 'completed');
  assert.equal(finished.returnvalue, 'provisioned');
  assert.equal(finished.attemptsMade, 0, 'no failed attempt');
  assert.equal(finished.failedReason, undefined);
  assert.ok(finished.finishedOn && finished.finishedOn >= sigtermAt && finished.finishedOn <= exitedAt, 'finished between the SIGTERM and the exit');
  assert.equal(await queues[JOBS.provision].client.hget(queues[JOBS.provision].toKey(String(job.id)), 'stalledCounter'), null, 'never stalled');
  const counts = await queues[JOBS.provision].getJobCounts();
  assert.deepEqual({ waiting: counts.waiting, active: counts.active, delayed: counts.delayed, failed: counts.failed }, { waiting: 0, active: 0, delayed: 0, failed: 0 });

  const request = await requestRow(stack, id);
  assert.equal(request.status, 'provisioned');
  assert.equal((await invitationsForRequest(stack, id)).length, 1, 'one invitation for the request');
  assert.equal((await stack.db('invitations')).length, 1, 'one invitation in all');
  assert.equal((await auditEvents(stack, { action: 'request.provisioned', target: `request:${id}` })).length, 1);

  // Whatever else the stopping worker had taken, it finished it or gave it back: no job is left
  // 'active' with nobody working on it (such a job would only run again once its lock expired).
  for (const name of Object.values(JOBS)) {
    const left = await queues[name].getActive();
    assert.deepEqual(left.map((j) => String(j.id)), [], `${name}: jobs left active by the stopped worker\n${worker.output().slice(-2000)}`);
  }

  // The invitation mail goes out once: a fresh worker sends what the stopped one left (on SQLite the
  // stopping worker often sends it itself: its relay was waiting behind the transaction).
  const fresh = await startWorkerProcess(stack.env);
  procs.push(fresh);
  const isInvitation = (m: { to: string[]; subject: string }) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject);
  await stack.mail.waitFor(isInvitation, 15_000);
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up, if there were one
  assert.equal(stack.mail.messages().filter(isInvitation).length, 1, 'the invitation mail was sent exactly once');
  const mails = await mailsLike(stack, 'invitation:%');
  assert.equal(mails.length, 1);
  assert.equal(mails[0].status, 'sent');
  assert.equal(await fresh.kill('SIGTERM'), 0, fresh.output().slice(-2000));
  assert.equal(await web.kill('SIGTERM'), 0, web.output().slice(-2000));
});
