// Fault test: the SMTP server misbehaves. "SMTP down for a minute, then answering 4xx, then a server
// that accepts the connection and never answers: mail is retried with backoff and timeouts shorter
// than the job lock, delivered once when SMTP returns, and a message that keeps failing ends as a
// visible failed job an admin can retry from the admin pages."
//
// A small SMTP front sits between the worker and the catcher; the test switches what it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { submitAsPartner } from '../harness/flows.ts';
import { startWebProcess, type Proc } from '../harness/processes.ts';
import { auditEvents } from '../harness/stored.ts';
import { loadConfig } from '../../src/config.ts';
import { JOBS } from '../../src/queue/queues.ts';

const SPONSOR = 'sam.sponsor@passerelle.test';
const ADMIN = 'ada.admin@passerelle.test';

// ---------------------------------------------------------------------------------------------
// The controllable SMTP front
// ---------------------------------------------------------------------------------------------

/**
 * down: accepts and resets the connection at once (a dead server; the port stays ours, so nothing
 *       else can take it while the test runs);
 * 4xx:  greets with "421 4.3.2 Service not available" and hangs up;
 * hang: accepts and never writes a byte;
 * up:   relays both ways to the real catcher.
 */
type Mode = 'down' | '4xx' | 'hang' | 'up';

interface Connection {
  mode: Mode;
  openedAt: number;
  closedAt: number | null;
}

interface SmtpFront {
  port: number;
  mode: Mode;
  /** Every connection the worker made, in order, with the mode it met. */
  connections: Connection[];
  close(): Promise<void>;
}

async function startSmtpFront(catcherPort: number, mode: Mode): Promise<SmtpFront> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((socket) => {
    const conn: Connection = { mode: front.mode, openedAt: Date.now(), closedAt: null };
    front.connections.push(conn);
    track(socket);
    socket.on('close', () => (conn.closedAt = Date.now()));
    switch (conn.mode) {
      case 'down':
        socket.resetAndDestroy();
        break;
      case '4xx':
        socket.end('421 4.3.2 Service not available\r\n');
        break;
      case 'hang':
        break; // read nothing, write nothing: only the client's timeout ends this
      case 'up': {
        const upstream = connect(catcherPort, '127.0.0.1');
        track(upstream);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        socket.pipe(upstream).pipe(socket);
        break;
      }
    }
  });
  const front: SmtpFront = {
    port: 0,
    mode,
    connections: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  front.port = (server.address() as AddressInfo).port;
  return front;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async function sponsorMailRow(stack: Stack, requestId: number) {
  return stack.db('mail_messages').where('dedupe_key', 'like', `request:${requestId}:route:%`).first();
}

function mailsTo(stack: Stack, to: string, requestId: number) {
  return stack.mail.messages().filter((m) => m.to.includes(to) && m.subject.includes(`#${requestId}`));
}

async function sendMailJobFor(stack: Stack, mailId: number) {
  const outbox = (await stack.db('outbox').where({ topic: 'mail.send' })).filter((r) => JSON.parse(r.payload).mailId === mailId);
  assert.equal(outbox.length, 1, 'one outbox row for the message');
  const job = await stack.worker.queues[JOBS.sendMail].getJob(`outbox-${outbox[0].id}`);
  assert.ok(job, `job outbox-${outbox[0].id} exists`);
  return job;
}

/** Backoff Bull waits after the n-th failed attempt (exponential: (2^n - 1) × delay). */
const backoffAfter = (n: number, delayMs: number) => Math.round((2 ** n - 1) * delayMs);

// ---------------------------------------------------------------------------------------------

test('configuration keeps the SMTP timeout below a third of the job lock', () => {
  assert.throws(() => loadConfig({ SMTP_TIMEOUT_MS: '1000', JOB_LOCK_MS: '3000' }), /SMTP_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ SMTP_TIMEOUT_MS: '20000' }), /SMTP_TIMEOUT_MS/, 'the default 60 s lock allows less than 20 s');
  const ok = loadConfig({ SMTP_TIMEOUT_MS: '1000', JOB_LOCK_MS: '3001' });
  assert.ok(ok.smtpTimeoutMs * 3 < ok.jobLockMs);
  const defaults = loadConfig({});
  assert.ok(defaults.smtpTimeoutMs * 3 < defaults.jobLockMs, `defaults: timeout ${defaults.smtpTimeoutMs} ms, lock ${defaults.jobLockMs} ms`);
});

test('SMTP down, then 4xx, then silent: the mail is retried with backoff and bounded attempts, and delivered once when SMTP returns', async (t) => {
  let front: SmtpFront | undefined;
  let stack: Stack | undefined;
  t.after(async () => {
    await front?.close();
    await stack?.stop();
  });
  const BACKOFF_MS = 300;
  const TIMEOUT_MS = 1000;
  stack = await startStack({
    smtpPort: async (catcherPort) => (front = await startSmtpFront(catcherPort, 'down')).port,
    env: { JOB_ATTEMPTS: '10', JOB_BACKOFF_MS: String(BACKOFF_MS), SMTP_TIMEOUT_MS: String(TIMEOUT_MS), JOB_LOCK_MS: '5000' },
  });
  const s = stack;
  const f = front!;
  assert.ok(s.config.smtpTimeoutMs * 3 < s.config.jobLockMs, 'the attempt timeout is well below the job lock');
  let stalled = 0;
  s.worker.queues[JOBS.sendMail].on('stalled', () => stalled++);

  // SMTP is down while the partner submits: the sponsor mail is queued and its first attempts fail.
  const { id } = await submitAsPartner(s, new Browser(), 'acme', 'paula@acme.test', ['Partner Wiki']);
  const mail = await eventually('the sponsor mail queued', () => sponsorMailRow(s, id));
  assert.equal(mail.to_address, SPONSOR);

  // Each phase lasts at least its time and until an attempt has failed in it, with its own error in
  // the database. "Down for a minute" is scaled down to 3 s: the backoff is scaled down with it.
  const seen: Record<string, string> = {};
  const phase = async (mode: Mode, minMs: number, error: RegExp) => {
    f.mode = mode;
    const started = Date.now();
    const before = Number((await sponsorMailRow(s, id)).attempts);
    seen[mode] = await eventually(
      `an attempt failing with ${error} while SMTP is ${mode}`,
      async () => {
        const row = await sponsorMailRow(s, id);
        assert.equal(row.status, 'queued', `still queued while SMTP is ${mode}`);
        return Number(row.attempts) > before && error.test(row.last_error ?? '') ? String(row.last_error) : null;
      },
      30_000,
    );
    const rest = minMs - (Date.now() - started);
    if (rest > 0) await sleep(rest);
  };
  await phase('down', 3000, /ECONNRESET|Connection closed|socket hang up/i);
  await phase('4xx', 2000, /421/);
  await phase('hang', 3000, /Greeting never received|timeout/i);
  assert.equal(mailsTo(s, SPONSOR, id).length, 0, 'nothing delivered while SMTP misbehaved');
  f.mode = 'up';

  const sent = await eventually('the sponsor mail sent', async () => {
    const row = await sponsorMailRow(s, id);
    return row.status === 'sent' ? row : null;
  }, 30_000);
  await eventually('the sponsor mail in the catcher', async () => mailsTo(s, SPONSOR, id).length > 0);
  await sleep(1500); // a second delivery would show up by now
  assert.equal(mailsTo(s, SPONSOR, id).length, 1, 'delivered exactly once');

  // The row: sent, after several attempts, each one counted.
  assert.ok(Number(sent.attempts) > 1, `attempts: ${sent.attempts}`);
  assert.ok(Number(sent.attempts) < s.config.jobAttempts, 'delivered before the attempts ran out');
  assert.equal(sent.last_error, null);
  assert.ok(sent.sent_at);
  assert.equal(f.connections.length, Number(sent.attempts), 'one SMTP connection per attempt, none unaccounted');
  assert.deepEqual(
    [...new Set(f.connections.map((c) => c.mode))],
    ['down', '4xx', 'hang', 'up'],
    `attempts met: ${f.connections.map((c) => c.mode).join(', ')}`,
  );
  assert.equal(f.connections.at(-1)!.mode, 'up');
  assert.equal(f.connections.filter((c) => c.mode === 'up').length, 1, 'one connection to the real server');
  assert.equal((await auditEvents(s, { action: 'mail.sent', target: `mail:${mail.id}` })).length, 1);

  // The failed attempts' errors were recorded: the job keeps one per failed attempt.
  const job = await sendMailJobFor(s, mail.id);
  assert.equal(job.stacktrace.length, Number(sent.attempts) - 1, 'one recorded error per failed attempt');
  const traces = job.stacktrace.join('\n');
  for (const [mode, error] of Object.entries(seen)) assert.ok(traces.includes(error.split('\n')[0]), `the ${mode} error is in the job: ${error}`);

  // Backoff: each attempt waited at least the exponential delay after the previous one failed.
  const t0 = f.connections[0].openedAt;
  t.diagnostic(`attempts (ms after the first): ${f.connections.map((c) => `${c.mode}@${c.openedAt - t0}`).join(' ')}`);
  t.diagnostic(`errors recorded: ${JSON.stringify(seen)}`);
  const starts = f.connections.map((c) => c.openedAt);
  for (let n = 1; n < starts.length; n++) {
    const gap = starts[n] - starts[n - 1];
    assert.ok(gap >= backoffAfter(n, BACKOFF_MS) * 0.9, `attempt ${n + 1} came ${gap} ms after attempt ${n}; backoff is ${backoffAfter(n, BACKOFF_MS)} ms`);
  }
  // A silent server costs one SMTP timeout per attempt, far below the job lock; no job stalled.
  for (const c of f.connections.filter((c) => c.mode === 'hang')) {
    assert.ok(c.closedAt, 'the worker gave up on the silent server');
    const held = c.closedAt - c.openedAt;
    assert.ok(held >= TIMEOUT_MS * 0.9 && held < TIMEOUT_MS + 1000, `a silent server held an attempt ${held} ms (timeout ${TIMEOUT_MS} ms)`);
    assert.ok(held < s.config.jobLockMs / 3);
  }
  assert.equal(stalled, 0, 'no job outlived its lock');
});

test('a message that keeps failing ends as a visible failed job, and an admin retry delivers it once', async (t) => {
  let front: SmtpFront | undefined;
  let stack: Stack | undefined;
  let web: Proc | undefined;
  t.after(async () => {
    await web?.kill('SIGKILL');
    await front?.close();
    await stack?.stop();
  });
  // The web app runs as a child process: createApp registers its session (de)serializers on the
  // global passport instance, so a second in-process app (after the stack above) would still
  // deserialize with the first stack's closed database and answer 500.
  stack = await startStack({
    web: false,
    smtpPort: async (catcherPort) => (front = await startSmtpFront(catcherPort, 'down')).port,
    env: { JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '200', SMTP_TIMEOUT_MS: '1000' },
  });
  web = await startWebProcess(stack.env);
  const s = stack;
  const f = front!;

  const { id } = await submitAsPartner(s, new Browser(), 'acme', 'paula@acme.test', ['Partner Wiki']);
  const failed = await eventually('the sponsor mail failed', async () => {
    const row = await sponsorMailRow(s, id);
    return row?.status === 'failed' ? row : null;
  });
  assert.equal(Number(failed.attempts), 3);
  assert.ok(failed.last_error, 'the last error is kept for the admin');
  assert.equal(f.connections.length, 3);
  const audit = await auditEvents(s, { action: 'mail.failed', target: `mail:${failed.id}` });
  assert.equal(audit.length, 1);
  assert.equal(audit[0].outcome, 'failure');
  assert.equal(JSON.parse(audit[0].details).to, SPONSOR);
  assert.equal(mailsTo(s, SPONSOR, id).length, 0);

  // The admin sees it on the queues page, under "Failed jobs".
  const ada = new Browser();
  await ada.signIn(s.appUrl, 'ours', ADMIN);
  const page = await ada.go(`${s.appUrl}/admin/queues`);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  const failedSection = page.text.slice(page.text.indexOf('Failed jobs'));
  assert.ok(page.text.includes('Failed jobs'), 'a "Failed jobs" section');
  const rows = failedSection.split('<tr>').filter((r) => r.includes(`E-mail to ${SPONSOR}`));
  assert.equal(rows.length, 1, `one failed job for the sponsor mail:\n${failedSection.slice(0, 2000)}`);
  const action = /action="(\/admin\/queues\/([^/"]+)\/([^/"]+)\/retry)"/.exec(rows[0]);
  assert.ok(action, `a Retry form in: ${rows[0]}`);
  const [, retryPath, queue, jobId] = action;
  assert.equal(queue, JOBS.sendMail);
  assert.match(rows[0], />Retry</);

  // SMTP is back; the admin clicks Retry.
  f.mode = 'up';
  const after = await ada.submit(page, retryPath, {});
  assert.equal(after.status, 200, after.text.slice(0, 300));
  assert.match(after.url, /\/admin\/queues\?retried=1$/);
  assert.match(after.text, /The job was queued again/);

  const sent = await eventually('the retried mail sent', async () => {
    const row = await sponsorMailRow(s, id);
    return row.status === 'sent' ? row : null;
  });
  await eventually('the sponsor mail in the catcher', async () => mailsTo(s, SPONSOR, id).length > 0);
  await sleep(1500);
  assert.equal(mailsTo(s, SPONSOR, id).length, 1, 'delivered exactly once');
  assert.equal(Number(sent.attempts), 4);
  assert.equal(f.connections.filter((c) => c.mode === 'up').length, 1);
  const retried = await auditEvents(s, { action: 'job.retried' });
  assert.equal(retried.length, 1);
  assert.equal(retried[0].target, `job:${queue}:${jobId}`);
  assert.equal(retried[0].actor_label, ADMIN);
  assert.equal((await auditEvents(s, { action: 'mail.sent', target: `mail:${failed.id}` })).length, 1);

  // The failed job is gone from the page; retrying it again finds nothing to retry.
  const later = await ada.go(`${s.appUrl}/admin/queues`);
  assert.ok(!later.text.includes(`E-mail to ${SPONSOR}`), 'no longer listed as failed');
  const again = await ada.submit(later, retryPath, {});
  assert.equal(again.status, 404);
  assert.equal(mailsTo(s, SPONSOR, id).length, 1);
});
