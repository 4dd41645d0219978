// The audit log as admins read it (issue 17, point 2): one sentence per event with the actor and the
// target as links, filters (a grouped action list, outcome, UTC dates) that say what is wrong with a
// bad value, CSV and JSON Lines exports of exactly the filtered events, streamed and audited, and the
// chain verified by a job in the real worker, shown at the top and on the admin home.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { systemContext } from '../harness/factories.ts';
import { auditEvents, lastAuditEvent, requestRow } from '../harness/stored.ts';
import { appendAudit, auditBatches } from '../../src/db/audit.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { csvCell, csvRow } from '../../src/domain/auditExport.ts';
import { giveUpAuditVerification, verifyAuditChainJob } from '../../workers/auditVerify.ts';
import { insertVerification } from '../../src/db/auditVerifications.ts';

let stack: Stack;
const ada = new Browser();
let requestId = 0;
let guestId = 0;
const today = new Date().toISOString().slice(0, 10);
const dayAfter = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  stack = await startStack();
  const paula = new Browser();
  const sam = new Browser();
  requestId = (await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki'])).id;
  await waitUntilRouted(stack, requestId);
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  assert.equal((await decide(stack, sam, requestId, 'approve')).status, 200);
  guestId = Number((await eventually('the guest provisioned', async () => (await requestRow(stack, requestId))?.guest_user_id)) as number);
  // Sam is no admin: refused, and the refusal is on record (outcome "denied").
  await sam.go(`${stack.appUrl}/admin/audit`);
  // An event whose fields a spreadsheet would run as formulas, and whose details need quoting.
  await inTransaction(stack.db, (trx) =>
    appendAudit(trx, systemContext('=HYPERLINK("http://evil.test","x")'), {
      action: 'guest.updated',
      target: '+cmd|calc',
      details: { note: '-2+3, "quoted"\r\nsecond line', at: '@SUM(A1)' },
    }),
  );
  // An action no sentence knows yet.
  await inTransaction(stack.db, (trx) => appendAudit(trx, systemContext('unknown-action'), { action: 'widget.frobbed', target: 'widget:3' }));
  // Enough events for a second page.
  await inTransaction(stack.db, async (trx) => {
    for (let i = 1; i <= 60; i++) await appendAudit(trx, systemContext(`retry-${i}`), { action: 'job.retried', target: `job:send-mail:${i}` });
  });
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

const textOf = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
/** The events' sentences on a page, as HTML. */
const sentences = (html: string) => [...html.matchAll(/<p class="audit-sentence">([\s\S]*?)<\/p>/g)].map((m) => m[1]);
const actionsShown = (html: string) => [...html.matchAll(/<code>([a-z_.]+)<\/code>/g)].map((m) => m[1]);

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  assert.equal(field + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

describe('one line per event, in plain words', () => {
  test('the approve flow reads as sentences, with the actor and the target linked to their pages', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?target=${encodeURIComponent(`request:${requestId}`)}`);
    assert.equal(page.status, 200);
    const lines = sentences(page.text);
    assert.ok(
      lines.includes(`<strong>Sam Sponsor</strong> approved Paula Partner’s <a href="/inbox/${requestId}">request #${requestId}</a> for Partner Wiki`),
      lines.join('\n'),
    );
    assert.ok(lines.includes(`<strong>Paula Partner</strong> asked for access to Partner Wiki (<a href="/inbox/${requestId}">request #${requestId}</a>)`), lines.join('\n'));
    assert.ok(lines.some((l) => textOf(l).startsWith(`Paula Partner’s request #${requestId} was sent to `) && l.includes('sam.sponsor@passerelle.test')), lines.join('\n'));
    assert.deepEqual(actionsShown(page.text), ['request.provisioned', 'request.approved', 'request.routed', 'request.submitted']);

    const guest = await ada.go(`${stack.appUrl}/admin/audit?target=${encodeURIComponent(`user:${guestId}`)}`);
    const guestLines = sentences(guest.text);
    assert.ok(guestLines.some((l) => l.includes(`added <a href="/admin/guests/${guestId}">Paula Partner</a> as a guest`)), guestLines.join('\n'));
    assert.ok(guestLines.some((l) => l.includes(`gave <a href="/admin/guests/${guestId}">Paula Partner</a> access to Partner Wiki`)), guestLines.join('\n'));
  });

  test('details fold under <details>, in a focusable, labelled scroller; the correlation id is short, in full inside', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?action=request.approved`);
    const event = (await lastAuditEvent(stack, { action: 'request.approved' })) as { seq: number; correlation_id: string };
    assert.match(page.text, /<details class="audit-more">/);
    assert.match(page.text, new RegExp(`<div class="audit-json" tabindex="0" role="region" aria-label="Recorded details of event ${event.seq}">`));
    const id = event.correlation_id;
    assert.ok(id.length > 12);
    assert.ok(page.text.includes(`title="Correlation id ${id}">${id.slice(0, 8)}…</span>`), 'shortened, with the whole id in its title');
    assert.ok(page.text.includes(`<dd class="correlation-full">${id}</dd>`), 'and in full among the details');
  });

  test('an action it does not know reads as a sentence naming it; a refusal says so', async () => {
    const refused = await ada.go(`${stack.appUrl}/admin/audit?outcome=denied`);
    const lines = sentences(refused.text).map(textOf);
    assert.ok(lines.some((l) => l.startsWith('Sam Sponsor was refused “admin:manage” on /admin/audit: policy denied')), lines.join('\n'));
    const unknown = await ada.go(`${stack.appUrl}/admin/audit?action=widget.frobbed`);
    assert.deepEqual(sentences(unknown.text), ['<strong>Passerelle</strong>: widget.frobbed on <strong>widget:3</strong>']);
  });

  test('names are read for the whole page at once, not once per event', async () => {
    let queries = 0;
    const count = () => void queries++;
    stack.db.on('query', count);
    try {
      await ada.go(`${stack.appUrl}/admin/audit`);
      const few = queries;
      queries = 0;
      await ada.go(`${stack.appUrl}/admin/audit?action=auth.signed_in`);
      assert.ok(few <= 25, `${few} statements for a page of 50 events`);
      assert.ok(few - queries <= 10, `${few} statements for 50 events, ${queries} for a few`);
    } finally {
      stack.db.off('query', count);
    }
  });

  test('in French for an admin whose browser asks for French', async () => {
    const page = await supertest(stack.appUrl)
      .get(`/admin/audit?target=${encodeURIComponent(`request:${requestId}`)}`)
      .set('Cookie', ada.cookieHeader(stack.appUrl))
      .set('Accept-Language', 'fr-FR,fr;q=0.9');
    assert.equal(page.status, 200);
    assert.match(page.text, /<html lang="fr">/);
    const lines = sentences(page.text);
    assert.ok(lines.includes(`<strong>Sam Sponsor</strong> a approuvé <a href="/inbox/${requestId}">la demande n° ${requestId}</a> de Paula Partner pour Partner Wiki`), lines.join('\n'));
    assert.match(page.text, /<optgroup label="Demandes d’accès">/);
  });
});

describe('filters', () => {
  test('the action is chosen from a list grouped by area, every action the code writes included', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?action=request.approved`);
    const groups = [...page.text.matchAll(/<optgroup label="([^"]+)">([\s\S]*?)<\/optgroup>/g)].map((m) => [m[1], m[2]] as const);
    assert.deepEqual(
      groups.map((g) => g[0]).slice(0, 11),
      ['Access requests', 'Invitations', 'Guests and memberships', 'Sign-in and profile', 'Applications', 'Catalog', 'Organizations and identity providers', 'API clients', 'Settings and branding', 'Audit log', 'Mails and background jobs'],
    );
    assert.match(groups[0][1], /<option value="request.approved" selected>Request approved<\/option>/);
    assert.deepEqual(actionsShown(page.text), ['request.approved']);
    // Actions on record that no area lists (a refused ability) are offered too.
    const other = groups.find((g) => g[0] === 'Other actions on record');
    assert.ok(other, groups.map((g) => g[0]).join());
    assert.match(other[1], /<option value="admin:manage"/);
  });

  test('outcome: refusals only, or successes only', async () => {
    const denied = await ada.go(`${stack.appUrl}/admin/audit?outcome=denied`);
    const events = [...denied.text.matchAll(/<li class="audit-event outcome-(\w+)"/g)].map((m) => m[1]);
    assert.ok(events.length > 0 && events.every((o) => o === 'denied'), events.join());
    const ok = await ada.go(`${stack.appUrl}/admin/audit?outcome=success`);
    const okEvents = [...ok.text.matchAll(/<li class="audit-event outcome-(\w+)"/g)].map((m) => m[1]);
    assert.ok(okEvents.length > 0 && okEvents.every((o) => o === 'success'));
  });

  test('a date range in UTC days: today holds the events, tomorrow none', async () => {
    const todays = await ada.go(`${stack.appUrl}/admin/audit?from=${today}&to=${today}&action=request.approved`);
    assert.deepEqual(actionsShown(todays.text), ['request.approved']);
    assert.match(todays.text, /From \(date, UTC\)/);
    const tomorrow = await ada.go(`${stack.appUrl}/admin/audit?from=${dayAfter(today, 1)}`);
    assert.equal(tomorrow.status, 200);
    assert.deepEqual(actionsShown(tomorrow.text), []);
    assert.match(tomorrow.text, /No events match\./);
    const yesterday = await ada.go(`${stack.appUrl}/admin/audit?to=${dayAfter(today, -1)}`);
    assert.deepEqual(actionsShown(yesterday.text), []);
  });

  test('a bad date is a 400 that says what is wrong, next to the field, keeping what was typed', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?from=2026-13-45&action=request.approved`);
    assert.equal(page.status, 400);
    assert.match(page.text, /role="alert"/);
    assert.match(page.text, /<p class="field-error" id="audit-from-error">Enter a date as YYYY-MM-DD, for example 2026-12-04\.<\/p>/);
    assert.match(page.text, /value="2026-13-45"/);
    assert.match(page.text, /aria-invalid="true"/);
    const range = await ada.go(`${stack.appUrl}/admin/audit?from=2026-12-04&to=2026-12-01`);
    assert.equal(range.status, 400);
    assert.match(range.text, /The end date is before the start date\./);
    const outcome = await ada.go(`${stack.appUrl}/admin/audit?outcome=maybe`);
    assert.equal(outcome.status, 400);
    const exportBad = await ada.go(`${stack.appUrl}/admin/audit/export.csv?to=yesterday`);
    assert.equal(exportBad.status, 400);
    assert.match(exportBad.text, /Enter a date as YYYY-MM-DD/);
  });

  test('keyset pages keep the filters', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?outcome=success`);
    const older = /href="\/admin\/audit\?([^"]*before=\d+)"/.exec(page.text)?.[1];
    assert.ok(older, 'a link to older events');
    assert.match(older.replace(/&amp;/g, '&'), /^outcome=success&before=\d+$/);
  });
});

describe('exports', () => {
  test('a CSV cell is quoted as RFC 4180 asks and never starts a formula', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(42), '42');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    for (const risky of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(csvCell(risky).replace(/^"/, '')[0], "'", JSON.stringify(risky));
    assert.equal(csvCell('=A1,"x"'), `"'=A1,""x"""`);
    assert.equal(csvRow(['a', 'b,c']), 'a,"b,c"\r\n');
  });

  test('the database is read in keyset batches, never all at once', async () => {
    const head = Number((await stack.db('audit_head').first()).seq);
    const sizes: number[] = [];
    let last = 0;
    for await (const rows of auditBatches(stack.db, {}, head, 7)) {
      sizes.push(rows.length);
      assert.ok(rows[0].seq > last, 'in order, no overlap');
      last = rows[rows.length - 1].seq;
    }
    assert.ok(sizes.length > 2 && sizes.every((n) => n <= 7), sizes.join());
    assert.equal(sizes.reduce((a, b) => a + b, 0), head);
  });

  test('CSV: exactly the filtered events, streamed, quoted, formula-guarded, dated, and the export audited', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit?outcome=success&from=${today}`);
    const link = /<a href="(\/admin\/audit\/export\.csv[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    assert.equal(link, `/admin/audit/export.csv?outcome=success&from=${today}`);
    const res = await supertest(stack.appUrl).get(link!).set('Cookie', ada.cookieHeader(stack.appUrl)).buffer(true).parse((r, cb) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => cb(null, body));
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.equal(res.headers['content-disposition'], `attachment; filename="passerelle-audit-${today}.csv"`);
    assert.equal(res.headers['transfer-encoding'], 'chunked', 'streamed, not built whole with a length');

    const exported = await lastAuditEvent(stack, { action: 'audit.exported' });
    assert.deepEqual(JSON.parse(exported.details), { format: 'csv', filter: { outcome: 'success', from: today } });
    assert.match(String(exported.actor_id), /^user:\d+ /);
    const expected = (await auditEvents(stack, { outcome: 'success' })).filter((e) => Number(e.seq) < Number(exported.seq) && e.at >= `${today}T00:00:00.000Z`);

    const rows = parseCsv(res.body as string);
    const [header, ...records] = rows;
    assert.deepEqual(header, ['seq', 'at', 'actor_type', 'actor_id', 'actor_label', 'action', 'target', 'outcome', 'ip', 'correlation_id', 'summary', 'details', 'prev_hash', 'hash']);
    assert.deepEqual(records.map((r) => Number(r[0])), expected.map((e) => Number(e.seq)));
    const col = (name: string) => header.indexOf(name);
    for (const [i, r] of records.entries()) {
      const e = expected[i];
      assert.equal(r[col('hash')], e.hash);
      assert.equal(r[col('details')], e.details, 'details as recorded, JSON quotes and commas intact');
      assert.equal(r[col('action')], e.action);
    }
    const risky = records.find((r) => r[col('target')].includes('cmd|calc'))!;
    assert.ok(risky, 'the event with formula-like fields is exported');
    assert.equal(risky[col('target')], "'+cmd|calc");
    assert.equal(risky[col('correlation_id')], `'=HYPERLINK("http://evil.test","x")`);
    assert.equal(JSON.parse(risky[col('details')]).note, '-2+3, "quoted"\r\nsecond line');
    const approved = records.find((r) => r[col('action')] === 'request.approved')!;
    assert.equal(approved[col('summary')], `Sam Sponsor approved Paula Partner’s request #${requestId} for Partner Wiki`);
  });

  test('JSON Lines: one event a line, exactly the filtered events, details as objects', async () => {
    const res = await supertest(stack.appUrl)
      .get(`/admin/audit/export.jsonl?action=request.approved&outcome=success`)
      .set('Cookie', ada.cookieHeader(stack.appUrl))
      .buffer(true)
      .parse((r, cb) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => cb(null, body));
      });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/jsonl/);
    assert.match(String(res.headers['content-disposition']), new RegExp(`^attachment; filename="passerelle-audit-${today}\\.jsonl"$`));
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    const lines = (res.body as string).split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const events = lines.map((l) => JSON.parse(l));
    const expected = await auditEvents(stack, { action: 'request.approved', outcome: 'success' });
    assert.deepEqual(events.map((e) => e.seq), expected.map((e) => Number(e.seq)));
    assert.deepEqual(events[0].details, JSON.parse(expected[0].details));
    assert.equal(events[0].summary, `Sam Sponsor approved Paula Partner’s request #${requestId} for Partner Wiki`);
    const exported = await lastAuditEvent(stack, { action: 'audit.exported' });
    assert.deepEqual(JSON.parse(exported.details), { format: 'jsonl', filter: { action: 'request.approved', outcome: 'success' } });
  });

  test('a sponsor cannot export', async () => {
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const res = await sam.request('GET', `${stack.appUrl}/admin/audit/export.csv`);
    assert.ok([403, 404].includes(res.status), String(res.status));
    assert.doesNotMatch(res.text, /prev_hash/);
  });
});

describe('the chain, verified by a job', () => {
  let verificationId = 0;

  test('"Verify the chain now" queues a job; the worker verifies, records and audits; the page and the home say so', async () => {
    const page = await ada.go(`${stack.appUrl}/admin/audit`);
    assert.match(page.text, /The chain has not been verified from the console yet\./);
    assert.match(page.text, /<form method="post" action="\/admin\/audit\/verify"/);
    const queued = await ada.submit(page, '/admin/audit/verify', {});
    assert.equal(queued.status, 200);
    verificationId = Number(/[?&]verify=(\d+)/.exec(queued.url)?.[1]);
    assert.ok(verificationId > 0, queued.url);
    assert.match(queued.text, /Verification #\d+ queued: the result appears here when the worker has checked the chain\./);
    const requested = await lastAuditEvent(stack, { action: 'audit.verify_requested' });
    assert.equal(requested.target, `verification:${verificationId}`);
    assert.equal(requested.actor_label, 'ada.admin@passerelle.test');

    const row = await eventually('the worker verified the chain', async () => {
      const r = await stack.db('audit_verifications').where({ id: verificationId }).first();
      return r?.status !== 'queued' && r;
    });
    assert.equal(row.status, 'ok');
    assert.ok(Number(row.events) >= Number(requested.seq));
    const verified = await lastAuditEvent(stack, { action: 'audit.verified' });
    assert.equal(verified.target, `verification:${verificationId}`);
    assert.equal(verified.outcome, 'success');
    assert.equal(verified.correlation_id, requested.correlation_id, 'the result correlates with the request');

    const after = await ada.go(`${stack.appUrl}/admin/audit`);
    assert.match(textOf(after.text), new RegExp(`Verified intact on .+ by Ada Admin: ${row.events} events checked\\.`));
    const home = await ada.go(`${stack.appUrl}/admin`);
    assert.match(textOf(home.text), new RegExp(`Verified intact on .+ by Ada Admin: ${row.events} events checked\\.`));
    assert.match(sentences(after.text).map(textOf).join('\n'), new RegExp(`The audit chain was verified intact: ${row.events} events checked \\(verification #${verificationId}\\)`));
  });

  test('the job is idempotent: run again for the same request, it changes nothing', async () => {
    const before = (await auditEvents(stack, { action: 'audit.verified' })).length;
    const again = await verifyAuditChainJob({ config: stack.config, db: stack.db }, systemContext(), { verificationId });
    assert.equal(again, 'done-already');
    assert.equal((await auditEvents(stack, { action: 'audit.verified' })).length, before);
  });

  test('a verification whose job gave up says so on the page and in the log, instead of waiting forever', async () => {
    const id = await inTransaction(stack.db, (trx) => insertVerification(trx, { userId: null, label: 'ada.admin@passerelle.test' }, new Date().toISOString()));
    await giveUpAuditVerification({ config: stack.config, db: stack.db }, systemContext(), { verificationId: id }, 'connect ECONNREFUSED 127.0.0.1:5432');
    const row = await stack.db('audit_verifications').where({ id }).first();
    assert.equal(row.status, 'failed');
    const shown = await ada.go(`${stack.appUrl}/admin/audit`);
    assert.match(textOf(shown.text), /could not run to its end; nothing is known of the chain from it\. Try again\./);
    assert.match(shown.text, /<code lang="en">connect ECONNREFUSED 127\.0\.0\.1:5432<\/code>/);
    const event = await lastAuditEvent(stack, { action: 'audit.verify_failed' });
    assert.equal(event.outcome, 'failure');
    assert.equal(event.target, `verification:${id}`);
    // Once finished, a late give-up changes nothing.
    await giveUpAuditVerification({ config: stack.config, db: stack.db }, systemContext(), { verificationId: id }, 'again');
    assert.equal((await auditEvents(stack, { action: 'audit.verify_failed' })).length, 1);
  });

  test('an edited event is found: the page names the first bad event', async () => {
    const victim = await lastAuditEvent(stack, { action: 'request.approved' });
    await stack.db('audit_events').where({ seq: victim.seq }).update({ details: '{"reason":"edited"}' });
    const page = await ada.go(`${stack.appUrl}/admin/audit`);
    const queued = await ada.submit(page, '/admin/audit/verify', {});
    const id = Number(/[?&]verify=(\d+)/.exec(queued.url)?.[1]);
    const row = await eventually('the worker verified the chain', async () => {
      const r = await stack.db('audit_verifications').where({ id }).first();
      return r?.status !== 'queued' && r;
    });
    assert.equal(row.status, 'broken');
    assert.equal(Number(row.bad_seq), Number(victim.seq));
    const shown = await ada.go(`${stack.appUrl}/admin/audit`);
    assert.match(textOf(shown.text), new RegExp(`found the chain broken at event ${victim.seq}`));
    const verified = await lastAuditEvent(stack, { action: 'audit.verified' });
    assert.equal(verified.outcome, 'failure');
    assert.equal(JSON.parse(verified.details).badSeq, Number(victim.seq));
  });
});
