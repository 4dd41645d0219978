import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vouchesFor } from '../../src/domain/vouching.ts';

const partner = { id: 1, kind: 'partner' as const };
const social = { id: 2, kind: 'social' as const };
const home = { id: 3, kind: 'home' as const };
const code = { id: 4, kind: 'email' as const };
const unregistered = { listedBy: [], organization: null };

test('an IdP is believed for the domains it lists', () => {
  assert.equal(vouchesFor(partner, { listedBy: [1], organization: null }), true);
  assert.equal(vouchesFor(home, { listedBy: [3], organization: null }), true);
  assert.equal(vouchesFor(partner, { listedBy: [9], organization: null }), false, 'another IdP’s domain');
});

test('a registered organization’s domain: its own IdP or a mailed code, nobody else', () => {
  const hooli = { listedBy: [], organization: { identityProviderId: null } };
  assert.equal(vouchesFor(partner, hooli), false);
  assert.equal(vouchesFor(social, hooli), false);
  assert.equal(vouchesFor(home, hooli), false);
  assert.equal(vouchesFor(code, hooli), true);
  assert.equal(vouchesFor(partner, { listedBy: [], organization: { identityProviderId: 1 } }), true, 'the organization’s own IdP');
});

test('only a social IdP (or a code) is believed for a domain nobody registered', () => {
  assert.equal(vouchesFor(social, unregistered), true);
  assert.equal(vouchesFor(code, unregistered), true);
  assert.equal(vouchesFor(partner, unregistered), false);
  assert.equal(vouchesFor(home, unregistered), false);
});
