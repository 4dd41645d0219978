import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approversByRule, batchesListedFor, can, invitableItems } from '../../src/domain/policies.ts';
import type { Principal } from '../../src/domain/principal.ts';
import type { AccessRequest } from '../../src/db/rows.ts';

const partner: Principal = {
  issuer: 'https://acme', subject: 'p1', email: 'p@acme.test', emailVerified: true, name: 'P', idpId: 2, idpSlug: 'acme', idpKind: 'partner',
  userId: null, userType: null, role: null,
};
const sponsor: Principal = { ...partner, issuer: 'https://ours', subject: 's1', email: 's@ours.test', idpKind: 'home', idpSlug: 'ours', userId: 7, userType: 'member' };
const admin: Principal = { ...sponsor, subject: 'a1', email: 'a@ours.test', userId: 8, role: 'admin' };
const request = { requester_issuer: 'https://acme', requester_subject: 'p1', requester_email: 'p@acme.test', status: 'pending' } as AccessRequest;

test('nobody signed in can do anything', () => {
  for (const ability of ['request:create', 'request:read', 'inbox:read', 'request:review', 'request:decide', 'access:read', 'audit:read', 'item:manage', 'batch:read'] as const) {
    assert.equal(can(undefined, ability, { request, isApprover: true, ownsItem: true, batch: { created_by: 7 } }), false, ability);
  }
});

test('partners create and read their own requests only', () => {
  assert.equal(can(partner, 'request:create'), true);
  assert.equal(can({ ...partner, emailVerified: false }, 'request:create'), false);
  assert.equal(can(partner, 'request:read', { request }), true);
  assert.equal(can({ ...partner, subject: 'p2' }, 'request:read', { request }), false);
  assert.equal(can(partner, 'inbox:read'), false);
  assert.equal(can(sponsor, 'request:create'), false);
});

test('a sponsor decides only what is routed to them; an admin may decide any request but their own', () => {
  assert.equal(can(sponsor, 'request:decide', { request, isApprover: true }), true);
  assert.equal(can(sponsor, 'request:decide', { request, isApprover: false }), false);
  assert.equal(can(admin, 'request:decide', { request, isApprover: false }), true);
  assert.equal(can(admin, 'request:decide', { request: { ...request, requester_email: 'a@ours.test' }, isApprover: true }), false);
  assert.equal(can(partner, 'request:decide', { request, isApprover: true }), false);
  assert.equal(can(sponsor, 'request:review', { request, isApprover: true }), true);
  assert.equal(can(sponsor, 'request:review', { request, isApprover: false }), false);
  assert.equal(can(admin, 'request:review', { request, isApprover: false }), true);
  assert.equal(can(partner, 'request:review', { request, isApprover: true }), false);
});

test('only admins read the audit log', () => {
  assert.equal(can(admin, 'audit:read'), true);
  assert.equal(can(sponsor, 'audit:read'), false);
  assert.equal(can(partner, 'audit:read'), false);
});

test('the routing rule: owners of self-service items, else the sponsors, else the admins, each read only when needed', async () => {
  const read: string[] = [];
  const from = (owners: string[], sponsors: string[], admins: string[]) => ({
    owners: async () => (read.push('owners'), owners),
    sponsors: async () => (read.push('sponsors'), sponsors),
    admins: async () => (read.push('admins'), admins),
  });
  assert.deepEqual(await approversByRule(true, from(['olive'], ['sam'], ['ada'])), ['olive']);
  assert.deepEqual(read.splice(0), ['owners']);
  assert.deepEqual(await approversByRule(false, from(['olive'], ['sam'], ['ada'])), ['sam'], 'owners decide only when every item is self-service');
  assert.deepEqual(read.splice(0), ['sponsors']);
  assert.deepEqual(await approversByRule(true, from([], ['sam'], ['ada'])), ['sam'], 'nobody owns them all: the sponsors');
  assert.deepEqual(await approversByRule(false, from([], [], ['ada'])), ['ada'], 'no sponsor left: the admins');
  assert.deepEqual(await approversByRule(false, from([], [], [])), []);
});

const guest: Principal = { ...partner, userId: 21, userType: 'guest' };

test('only a guest has access to read; a partner not yet a guest, and members, have none', () => {
  assert.equal(can(guest, 'access:read'), true);
  assert.equal(can(partner, 'access:read'), false);
  assert.equal(can(sponsor, 'access:read'), false);
});

test('an owner manages (and invites to) the self-service items they own; an admin any item; partners and guests none', () => {
  assert.equal(can(sponsor, 'item:manage', { ownsItem: true }), true);
  assert.equal(can(sponsor, 'item:manage', { ownsItem: false }), false);
  assert.equal(can(sponsor, 'item:manage'), false);
  assert.equal(can(admin, 'item:manage', { ownsItem: false }), true);
  assert.equal(can({ ...guest, idpKind: 'partner' }, 'item:manage', { ownsItem: true }), false, 'only members of our organization own items');
});

test('a batch of invitations is read by whoever started it and by admins; everybody else is told it does not exist', () => {
  assert.equal(can(sponsor, 'batch:read', { batch: { created_by: 7 } }), true);
  assert.equal(can(sponsor, 'batch:read', { batch: { created_by: 8 } }), false);
  assert.equal(can(sponsor, 'batch:read'), false, 'no batch, no answer');
  assert.equal(can(admin, 'batch:read', { batch: { created_by: 7 } }), true);
  assert.equal(can({ ...partner, userId: 7, userType: 'guest' }, 'batch:read', { batch: { created_by: 7 } }), false);
  assert.equal(batchesListedFor(admin), null, 'an admin lists everybody\'s batches');
  assert.equal(batchesListedFor(sponsor), 7);
});

test('the items one may invite to: every item for an admin, a member\'s own self-service items, each list read only when needed', async () => {
  const read: string[] = [];
  const from = { all: async () => (read.push('all'), ['wiki', 'atlas']), ownedSelfService: async () => (read.push('owned'), ['atlas']) };
  assert.deepEqual(await invitableItems(admin, from), ['wiki', 'atlas']);
  assert.deepEqual(read.splice(0), ['all']);
  assert.deepEqual(await invitableItems(sponsor, from), ['atlas']);
  assert.deepEqual(read.splice(0), ['owned']);
  assert.deepEqual(await invitableItems(partner, from), []);
  assert.deepEqual(read, []);
});
