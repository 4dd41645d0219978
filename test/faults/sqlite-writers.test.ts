// Fault test 7 of issue 4: SQLite with a web process and a worker process writing at once, about
// 200 writes a second for 30 seconds. No SQLITE_BUSY may reach a person (an error page) or a job
// (a failed job), and the audit chain written by both processes stays one unbroken line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, isPostgres, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { startWebProcess, startWorkerProcess, type Proc } from '../harness/processes.ts';
import { allMailSent, countRows } from '../harness/stored.ts';
import { createQueues, JOBS, type Queues } from '../../src/queue/queues.ts';
import { verifyAuditChain } from '../../src/db/audit.ts';

const SECONDS = 30;
const SUBMISSIONS_PER_SECOND = 70; // each also makes the worker write twice (the sponsor mail's claim, then "sent")
let stack: Stack;
let web: Proc;
let worker: Proc;
let queues: Queues;

before(async () => {
  stack = await startStack({ web: false, worker: false, env: { RATE_LIMIT_SUBMIT_PER_MINUTE: '100000' } });
  web = await startWebProcess(stack.env);
  worker = await startWorkerProcess(stack.env);
  queues = createQueues(stack.config);
});
after(async () => {
  await web?.kill('SIGKILL');
  await worker?.kill('SIGKILL');
  await queues?.close(2000);
  await stack?.stop();
});

test(`web and worker processes writing ~200 times a second for ${SECONDS} s: no SQLITE_BUSY reaches anyone`, { skip: isPostgres() && 'SQLite only' }, async () => {
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const csrf = csrfToken(form.text)!;
  const items = await catalogIds(stack, ['Partner Wiki']);
  const statuses = new Map<number, number>();
  let sent = 0;
  const started = Date.now();
  // Bounded in count and time: SECONDS × rate submissions, paced to the second.
  for (let second = 0; second < SECONDS; second++) {
    const tick = Date.now();
    await Promise.all(
      Array.from({ length: SUBMISSIONS_PER_SECOND }, async () => {
        // The POST alone (its 303), so the load is writes rather than page rendering.
        const page = await paula.request('POST', `${stack.appUrl}/requests`, { _csrf: csrf, items, justification: `Load test submission ${sent++}.` });
        statuses.set(page.status, (statuses.get(page.status) ?? 0) + 1);
      }),
    );
    const wait = 1000 - (Date.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const elapsed = (Date.now() - started) / 1000;
  const total = SECONDS * SUBMISSIONS_PER_SECOND;
  assert.deepEqual([...statuses.entries()], [[303, total]], 'every submission accepted, no error');
  await eventually('the worker caught up', async () => (await allMailSent(stack)) &&
    Number((await stack.db('access_requests').whereNull('routed_at').count({ n: '*' }).first())!.n) === 0, 120_000);
  const failed = await queues[JOBS.routeRequest].getFailed();
  const failedMail = await queues[JOBS.sendMail].getFailed();
  assert.equal(failed.length + failedMail.length, 0, `failed jobs: ${[...failed, ...failedMail].map((j) => j.failedReason).join('; ')}`);
  assert.doesNotMatch(web.output() + worker.output(), /SQLITE_BUSY/);
  const writes = await countRows(stack, 'audit_events');
  const chain = await verifyAuditChain(stack.db);
  assert.ok(chain.ok, JSON.stringify(chain));
  // Audited writes are a floor: mail claims, relay marks and session writes come on top.
  console.log(`# ${total} submissions in ${elapsed.toFixed(1)} s; ${writes} audited write transactions (${(writes / elapsed).toFixed(0)}/s) from two processes; chain intact`);
});
