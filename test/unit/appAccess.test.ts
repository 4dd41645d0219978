import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appAccess, appLaunchUrl, redirectUriProblem, releasedClaims, visibleGroups } from '../../src/domain/appAccess.ts';
import { signingOrder } from '../../src/oidc/keys.ts';

const required = { assignment_required: true, allow_members: false };
const guest = { state: 'active' as const, user_type: 'guest' as const };
const member = { state: 'active' as const, user_type: 'member' as const };

test('who may sign in to an app: an active guest holding it; members only where allowed or not required', () => {
  assert.deepEqual(appAccess({ user: guest, client: required, holdsMembership: true }), { allowed: true });
  assert.deepEqual(appAccess({ user: guest, client: required, holdsMembership: false }), { allowed: false, reason: 'no membership' });
  assert.deepEqual(appAccess({ user: { ...guest, state: 'disabled' }, client: required, holdsMembership: true }), { allowed: false, reason: 'user not active' });
  assert.deepEqual(appAccess({ user: { ...guest, state: 'invited' }, client: required, holdsMembership: true }), { allowed: false, reason: 'user not active' });
  assert.deepEqual(appAccess({ user: member, client: required, holdsMembership: false }), { allowed: false, reason: 'members not allowed' });
  assert.deepEqual(appAccess({ user: member, client: { ...required, allow_members: true }, holdsMembership: false }), { allowed: true });
  assert.deepEqual(appAccess({ user: guest, client: { ...required, assignment_required: false }, holdsMembership: false }), { allowed: true });
});

test('an app sees the groups it is allowed to, and the claims its scopes ask for among those it may receive', () => {
  assert.deepEqual(visibleGroups([{ id: 1 }, { id: 2 }], { visible_group_ids: [2, 3] }), [{ id: 2 }]);
  assert.deepEqual(releasedClaims(['openid', 'email'], ['email', 'name', 'groups']), ['email']);
  assert.deepEqual(releasedClaims(['openid', 'profile', 'groups'], ['email', 'name', 'idp']), ['name', 'idp']);
});

test('redirect URIs: exact, https in production, loopback http only outside it', () => {
  assert.equal(redirectUriProblem('https://wiki.example/callback', true), null);
  assert.equal(redirectUriProblem('http://127.0.0.1:4300/callback', false), null);
  assert.equal(redirectUriProblem('http://127.0.0.1:4300/callback', true), 'appClient.errors.httpsRequired');
  assert.equal(redirectUriProblem('http://wiki.example/callback', false), 'appClient.errors.httpsOrLoopback');
  assert.equal(redirectUriProblem('https://wiki.example/callback#x', true), 'appClient.errors.uriExact');
  assert.equal(redirectUriProblem('https://*.example/callback', true), 'appClient.errors.uriExact');
  assert.equal(redirectUriProblem('not a uri', true), 'appClient.errors.uri');
});

test('an app opens through its own sign-in when it registered one (third-party-initiated login), else its launch URL', () => {
  assert.equal(appLaunchUrl('https://wiki.example/', undefined, 'https://p.example/oidc'), 'https://wiki.example/');
  const u = new URL(appLaunchUrl('https://wiki.example/', { initiate_login_uri: 'https://wiki.example/login' }, 'https://p.example/oidc')!);
  assert.equal(u.origin + u.pathname, 'https://wiki.example/login');
  assert.equal(u.searchParams.get('iss'), 'https://p.example/oidc');
  assert.equal(u.searchParams.get('target_link_uri'), 'https://wiki.example/');
});

test('a new signing key signs only once every web process has had time to publish it', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  const old = { kid: 'old', created_at: at(86_400) };
  const fresh = { kid: 'new', created_at: at(30) };
  assert.deepEqual(signingOrder([fresh, old], now, 60_000).map((k) => k.kid), ['old', 'new'], 'the old key signs for the first minute');
  assert.deepEqual(signingOrder([old, fresh], now + 31_000, 60_000).map((k) => k.kid), ['new', 'old'], 'then the new one');
  assert.deepEqual(signingOrder([fresh], now, 60_000).map((k) => k.kid), ['new'], 'the very first key signs at once');
});
