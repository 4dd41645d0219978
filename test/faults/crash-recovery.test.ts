// Fault tests 2, 4 and 9 of issue 4: a web process killed right after its commit, the same job
// delivered twice (also after it was removed on completion), and a Redis that may evict keys.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { catalogIds, decide, waitUntilRouted } from '../harness/flows.ts';
import { spawnPasserelle, startWebProcess, waitForOutput } from '../harness/processes.ts';
import { buildOutboxRow } from '../harness/factories.ts';
import { approversOf, auditEvents, guestsWithEmail, invitationsOf, mailsLike, membershipsOf, requestOf } from '../harness/stored.ts';
import { startRedisServer } from '../../src/demo/redisServer.ts';
import { relayOnce } from '../../src/queue/relay.ts';
import { JOBS } from '../../src/queue/queues.ts';

let stack: Stack;
before(async () => {
  // The web app runs as a child process here, so it can be killed; the worker stays in this process.
  stack = await startStack({ web: false });
});
after(async () => {
  await stack?.stop();
});

test('a web process killed right after the commit loses nothing; the relay publishes one job per outbox row', async () => {
  const web = await startWebProcess({ ...stack.env, FAULTS: 'submit.after-commit=5000' });
  try {
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    const submitting = paula.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'Submitted just before a crash.' }).catch((err: Error) => err);
    // The transaction has committed when the request row exists; the response has not been sent.
    const row = await eventually('request committed', async () => requestOf(stack, 'paula@acme.test'));
    await web.kill('SIGKILL');
    const answer = await submitting;
    assert.ok(answer instanceof Error, 'the partner saw the connection drop');
    await waitUntilRouted(stack, row.id);
    assert.equal((await auditEvents(stack, { action: 'request.routed', target: `request:${row.id}` })).length, 1);
    // The submission's transaction routed it and queued the sponsor's mail with its outbox row.
    const [mail] = await mailsLike(stack, `request:${row.id}:route:%`);
    assert.ok(mail, 'the sponsor mail was queued with the request');
    const outbox = (await stack.db('outbox').where({ topic: 'mail.send' })).filter((o) => JSON.parse(o.payload).mailId === Number(mail.id));
    assert.equal(outbox.length, 1);
    await eventually('the outbox row published', async () => (await stack.db('outbox').where({ id: outbox[0].id }).first()).published_at ?? null);
    const jobs = await stack.worker.queues[JOBS.sendMail].getJobs(['completed', 'waiting', 'active', 'delayed', 'failed']);
    assert.equal(jobs.filter((j) => j.data.mailId === Number(mail.id)).length, 1, 'exactly one job for the row');
  } finally {
    await web.kill('SIGKILL');
  }
});

test('a relay that crashed after publishing but before marking the row publishes no second job', async () => {
  const id = await buildOutboxRow(stack, 'request.submitted', { requestId: 999999 });
  await stack.worker.relay.stop(); // this test plays the relay
  await stack.worker.queues[JOBS.routeRequest].add({ requestId: 999999 }, { jobId: `outbox-${id}` });
  await relayOnce(stack.db, stack.worker.queues);
  const jobs = await stack.worker.queues[JOBS.routeRequest].getJobs(['completed', 'waiting', 'active', 'delayed', 'failed']);
  assert.equal(jobs.filter((j) => j.data.requestId === 999999).length, 1);
  assert.ok((await stack.db('outbox').where({ id }).first()).published_at);
});

test('the same job delivered twice, also after it was removed on completion, creates nothing twice', async () => {
  const web = await startWebProcess(stack.env);
  try {
    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const form = await pete.go(`${stack.appUrl}/requests/new`);
    const page = await pete.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki', 'Project Atlas']), justification: 'Twice delivered jobs must be harmless.' });
    const id = Number(/\/requests\/(\d+)/.exec(page.url)![1]);
    // The relay is stopped (previous test): route by hand with a job that is removed on completion.
    const q = stack.worker.queues;
    // Waits on the in-process worker's own events, taken before the job is added: a fast job is
    // done and removed before job.finished() could look for it.
    const run = async (name: typeof JOBS[keyof typeof JOBS], data: object, jobId: string) => {
      const done = new Promise<void>((resolve, reject) => {
        const completed = (job: { id: unknown }) => job.id === jobId && (off(), resolve());
        const failed = (job: { id: unknown }, err: Error) => job.id === jobId && (off(), reject(err));
        const off = () => q[name].off('completed', completed).off('failed', failed);
        q[name].on('completed', completed).on('failed', failed);
      });
      await q[name].add(data, { jobId, removeOnComplete: true });
      await done;
    };
    await run(JOBS.routeRequest, { requestId: id }, 'dup-route');
    await run(JOBS.routeRequest, { requestId: id }, 'dup-route'); // same id again, after removal
    await waitUntilRouted(stack, id);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    await decide(stack, sam, id, 'approve');
    await run(JOBS.provision, { requestId: id }, 'dup-provision');
    await run(JOBS.provision, { requestId: id }, 'dup-provision');
    const guest = await guestsWithEmail(stack, 'pete@acme.test');
    assert.equal(guest.length, 1);
    assert.equal((await membershipsOf(stack, guest[0].id)).length, 2);
    assert.equal((await invitationsOf(stack, guest[0].id)).length, 1);
    assert.equal((await approversOf(stack, id)).length, 1);
    const mails = await mailsLike(stack, 'invitation:%');
    assert.equal(mails.filter((m) => m.to_address === 'pete@acme.test').length, 1);
  } finally {
    await web.kill('SIGKILL');
  }
});

test('start-up refuses a Redis that may evict keys, saying why', async () => {
  const lru = await startRedisServer({ dir: null, extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
  try {
    for (const command of ['web', 'worker']) {
      const p = spawnPasserelle([command], { ...stack.env, REDIS_URL: lru.url, PORT: '0' });
      const code = await p.exited;
      assert.equal(code, 1, p.output());
      assert.match(p.output(), /maxmemory-policy "allkeys-lru"/);
      assert.match(p.output(), /noeviction/);
    }
    const ok = spawnPasserelle(['worker'], stack.env);
    await waitForOutput(ok, 'worker started');
    await ok.kill('SIGTERM');
  } finally {
    await lru.stop();
  }
});
