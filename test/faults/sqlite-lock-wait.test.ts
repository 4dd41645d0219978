// SQLite has one writer. While another process holds the write lock, a partner's submission waits
// for it and then succeeds, and the web process keeps answering everyone else meanwhile: the wait
// happens between event-loop turns, not in SQLite's busy handler, which would freeze the process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, isPostgres, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { auditEvents } from '../harness/stored.ts';
import { createDb } from '../../src/db/knex.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ worker: false });
});
after(async () => {
  await stack?.stop();
});

test('a submission waits for a write lock held elsewhere, and pages still answer meanwhile', { skip: isPostgres() && 'SQLite only' }, async () => {
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const items = await catalogIds(stack, ['Partner Wiki']);

  // Another writer (as another process would be) takes the write lock and keeps it for 1.5 s.
  const other = createDb(stack.config.databaseUrl);
  const trx = await other.transaction();
  await trx('outbox').where({ id: -1 }).update({ topic: 'none' }); // a write: the lock is taken
  const heldAt = Date.now();
  const release = new Promise<number>((resolve) =>
    setTimeout(() => {
      void trx.commit().then(() => resolve(Date.now()));
    }, 1500),
  );
  try {
    const submitting = paula.request('POST', `${stack.appUrl}/requests`, { _csrf: csrfToken(form.text)!, items, justification: 'Submitted while the database was busy.' });
    await new Promise((r) => setTimeout(r, 200));
    // The submission is waiting for the lock; the process still serves pages that only read.
    for (const path of ['/healthz', '/requests', '/requests/new']) {
      const started = Date.now();
      const page = await paula.go(`${stack.appUrl}${path}`);
      assert.equal(page.status, 200, path);
      assert.ok(Date.now() < heldAt + 1500, `${path} answered while the lock was held (after ${Date.now() - started} ms)`);
    }
    const submitted = await submitting;
    const releasedAt = await release;
    assert.equal(submitted.status, 303, submitted.text.slice(0, 300));
    assert.ok(Date.now() >= releasedAt, 'the submission finished only once the lock was released');
  } finally {
    if (!trx.isCompleted()) await trx.rollback();
    await other.destroy();
  }
  const stored = await stack.db('access_requests').where({ justification: 'Submitted while the database was busy.' });
  assert.equal(stored.length, 1);
  const audited = await auditEvents(stack, { action: 'request.submitted', target: `request:${stored[0].id}` });
  assert.equal(audited.length, 1);
});
