import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approvedByPolicy, isDenied } from '../../src/domain/organizationPolicy.ts';
import { membershipExpiry } from '../../src/domain/membershipExpiry.ts';

const org = (policy: 'allow' | 'deny' | 'auto_approve') => ({ name: 'Acme', policy });

test('only an organization whose policy is deny shuts its domains out; a domain of no organization is not denied here', () => {
  assert.equal(isDenied(org('deny')), true);
  assert.equal(isDenied(org('allow')), false);
  assert.equal(isDenied(org('auto_approve')), false);
  assert.equal(isDenied(undefined), false);
});

test('a request is approved by policy only when its organization auto-approves and lists every item, the list read only then', async () => {
  let reads = 0;
  const listed = async () => (reads++, [1, 2]);
  assert.equal(await approvedByPolicy(org('auto_approve'), [1, 2], listed), true);
  assert.equal(await approvedByPolicy(org('auto_approve'), [1, 3], listed), false, 'one item off the list: reviewed');
  assert.equal(reads, 2);
  assert.equal(await approvedByPolicy(org('allow'), [1], listed), false);
  assert.equal(await approvedByPolicy(undefined, [1], listed), false);
  assert.equal(reads, 2, 'no list read for an organization that does not auto-approve');
});

test('a membership ends max_days after it is granted, or never', () => {
  const at = Date.parse('2026-01-31T10:00:00.000Z');
  assert.equal(membershipExpiry({ max_days: 30 }, at), '2026-03-02T10:00:00.000Z');
  assert.equal(membershipExpiry({ max_days: null }, at), null);
});
