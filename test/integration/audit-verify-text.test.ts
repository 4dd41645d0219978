// `audit verify` on SQLite has the database render each event's canonical text (json_array); on
// PostgreSQL it reads whole rows. Whatever people type or IdPs send ends up in events: quotes, backslashes,
// control characters, line and paragraph separators, accents, emoji, missing fields. A log made of
// them must verify intact, and changing one character of one of them must name that event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { auditEvent, countRows } from '../harness/stored.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { appendAudit, verifyAuditChain } from '../../src/db/audit.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ web: false, worker: false });
});
after(async () => {
  await stack?.stop();
});

const awkward = [
  'plain',
  'quote " and backslash \\ and slash /',
  'controls \u0001\u0007\u001f and \b\f\n\r\t',
  'delete \u007f, line sep \u2028, paragraph sep \u2029',
  'accents: Zoë Šťastná, 日本語, emoji 😀👩‍💻',
  '<script>alert(1)</script> & ; -- \'',
  '',
];

test('events holding every awkward character verify intact; one changed character is named', async () => {
  await inTransaction(stack.db, async (trx) => {
    for (const text of awkward) {
      await appendAudit(
        trx,
        { actor: { type: 'user', id: `user:1 ${text}`, label: text || null }, ip: null, correlationId: text },
        { action: 'test.awkward', target: text || null, details: { text, nested: { text } } },
      );
    }
    // A system event with every optional field missing.
    await appendAudit(trx, { actor: { type: 'system', id: null, label: null }, ip: null, correlationId: null }, { action: 'test.empty' });
  });
  const ok = await verifyAuditChain(stack.db);
  assert.deepEqual(ok, { ok: true, count: await countRows(stack, 'audit_events') });

  const victim = await auditEvent(stack, { action: 'test.awkward', target: awkward[2] });
  await stack.db('audit_events').where({ seq: victim.seq }).update({ target: awkward[2].replace('\u0007', '\u0006') });
  const bad = await verifyAuditChain(stack.db);
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.badSeq, Number(victim.seq));
  await stack.db('audit_events').where({ seq: victim.seq }).update({ target: victim.target });

  const emoji = await auditEvent(stack, { action: 'test.awkward', target: awkward[4] });
  await stack.db('audit_events').where({ seq: emoji.seq }).update({ actor_label: awkward[4].replace('😀', '😁') });
  const bad2 = await verifyAuditChain(stack.db);
  assert.equal(!bad2.ok && bad2.badSeq, Number(emoji.seq));
  await stack.db('audit_events').where({ seq: emoji.seq }).update({ actor_label: emoji.actor_label });
  assert.equal((await verifyAuditChain(stack.db)).ok, true, 'restored');
});
