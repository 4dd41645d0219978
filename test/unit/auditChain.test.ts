import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainVerifier, eventHash, GENESIS_HASH, type ChainAnchor, type ChainedEvent } from '../../src/domain/auditChain.ts';

function chain(n: number): (ChainedEvent & { hash: string })[] {
  const out: (ChainedEvent & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e: ChainedEvent = {
      seq, at: `2026-11-27T10:00:0${seq}.000Z`, actor_type: 'user', actor_id: `user:${seq}`, actor_label: 'a@b.test',
      action: 'request.submitted', target: `request:${seq}`, outcome: 'success', ip: '127.0.0.1', correlation_id: 'c', details: '{}', prev_hash: prev,
    };
    const hash = eventHash(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

function verify(events: (ChainedEvent & { hash: string })[], head = { seq: events.length, hash: events.at(-1)?.hash ?? GENESIS_HASH }) {
  const v = new ChainVerifier();
  for (const e of events) {
    const bad = v.check(e);
    if (bad) return bad;
  }
  return v.finish(head);
}

test('an untouched chain verifies', () => {
  assert.deepEqual(verify(chain(5)), { ok: true, count: 5 });
});

test('an edited event is named by its sequence number', () => {
  const events = chain(5);
  events[2] = { ...events[2], details: '{"x":1}' };
  assert.equal((verify(events) as { badSeq: number }).badSeq, 3);
});

test('a deleted event is named by the missing sequence number', () => {
  const events = chain(5);
  const head = { seq: 5, hash: events[4].hash };
  events.splice(1, 1);
  assert.equal((verify(events, head) as { badSeq: number }).badSeq, 2);
});

test('two events swapped are caught at the first of them', () => {
  const events = chain(5);
  const a = events[1];
  events[1] = { ...events[2], seq: 2 };
  events[2] = { ...a, seq: 3 };
  assert.equal((verify(events) as { badSeq: number }).badSeq, 2);
});

test('a deleted last event is caught through the chain head', () => {
  const events = chain(5);
  const head = { seq: 5, hash: events[4].hash };
  const result = verify(events.slice(0, 4), head);
  assert.equal(result.ok, false);
  assert.equal((result as { badSeq: number }).badSeq, 5);
});

// What someone who can write the database does: change an event, then compute every hash after it
// (and the head) again, with the same code the application uses.
function rewrite(events: (ChainedEvent & { hash: string })[], index: number, details: string) {
  const out = events.map((e) => ({ ...e }));
  out[index].details = details;
  let prev = index ? out[index - 1].hash : GENESIS_HASH;
  for (const e of out.slice(index)) {
    e.prev_hash = prev;
    e.hash = eventHash(e);
    prev = e.hash;
  }
  return out;
}

function verifyAnchored(events: (ChainedEvent & { hash: string })[], anchors: ChainAnchor[], start?: { seq: number; hash: string }) {
  const v = new ChainVerifier(anchors, start);
  for (const e of events) {
    if (start && e.seq <= start.seq) continue;
    const bad = v.check(e);
    if (bad) return bad;
  }
  return v.finish({ seq: events.length, hash: events.at(-1)?.hash ?? GENESIS_HASH });
}

test('a rewritten chain is whole by itself, but not against a hash anchored outside it', () => {
  const events = chain(8);
  const anchors = [3, 6].map((seq) => ({ seq, hash: events[seq - 1].hash, label: `checkpoint ${seq}` }));
  assert.deepEqual(verifyAnchored(events, anchors), { ok: true, count: 8 });
  const forged = rewrite(events, 4, '{"x":1}');
  assert.deepEqual(verify(forged), { ok: true, count: 8 }, 'the chain alone cannot tell');
  const bad = verifyAnchored(forged, anchors);
  assert.equal(bad.ok, false);
  assert.equal((bad as { badSeq: number }).badSeq, 6);
  assert.match((bad as { reason: string }).reason, /checkpoint 6: an event from 4 to 6 was changed/);
});

test('a log cut below an anchor, with its head moved back, is caught', () => {
  const events = chain(8);
  const anchors = [{ seq: 7, hash: events[6].hash, label: 'checkpoint 7' }];
  const bad = verifyAnchored(events.slice(0, 5), anchors);
  assert.equal(bad.ok, false);
  assert.equal((bad as { badSeq: number }).badSeq, 6);
  assert.match((bad as { reason: string }).reason, /ends at event 5, but checkpoint 7 covers events up to 7/);
});

test('checking from a trusted point reads only the events after it, and still meets later anchors', () => {
  const events = chain(8);
  const start = { seq: 4, hash: events[3].hash };
  assert.deepEqual(verifyAnchored(events, [{ seq: 6, hash: events[5].hash, label: 'c6' }], start), { ok: true, count: 4 });
  const bad = verifyAnchored(events, [{ seq: 6, hash: events[5].hash, label: 'c6' }], { seq: 4, hash: events[2].hash });
  assert.equal((bad as { badSeq: number }).badSeq, 5, 'the first event after the start must link to it');
});
