import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainVerifier, eventHash, GENESIS_HASH, type ChainedEvent } from '../../src/domain/auditChain.ts';

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
