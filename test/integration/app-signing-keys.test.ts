// The OpenID Provider's signing keys as an application sees them through the JWKS: a rotation (the
// command, and `passerelle keys rotate`) lets tokens signed before it still verify, new tokens are
// signed by the new key, and a retired key leaves the JWKS once its tokens have expired. The private
// halves are stored sealed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { eventually, startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { relyingParty, type RelyingParty } from '../harness/relyingParty.ts';
import { auditEvents } from '../harness/stored.ts';
import { endKeyPublication } from '../harness/rowEdits.ts';
import { rotateSigningKey } from '../../src/commands/signingKeys.ts';

const exec = promisify(execFile);

let stack: Stack;
let rp: RelyingParty;
let browser: Browser;
before(async () => {
  // The web process looks for changed keys every 50 ms instead of every minute.
  stack = await startStack({ env: { OIDC_KEYS_REFRESH_MS: '50' } });
  await buildCatalogItem(stack, { kind: 'app', name: 'Key Check' });
  const client = await buildAppClient(stack, { item: 'Key Check' });
  await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Key Check'] });
  browser = new Browser();
  await browser.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  rp = await relyingParty(stack.appUrl, client);
});
after(async () => {
  await stack?.stop();
});

async function jwks(): Promise<JSONWebKeySet> {
  const res = await fetch(rp.config.serverMetadata().jwks_uri!);
  assert.equal(res.status, 200);
  return (await res.json()) as JSONWebKeySet;
}

const kidsOf = (set: JSONWebKeySet) => set.keys.map((k) => k.kid).sort();

/** Verifies an ID token as an app does: against the JWKS published now, for this issuer and this app. */
async function verifies(idToken: string): Promise<boolean> {
  return jwtVerify(idToken, createLocalJWKSet(await jwks()), { issuer: rp.config.serverMetadata().issuer, audience: rp.clientId }).then(
    () => true,
    () => false,
  );
}

const kidOf = (idToken: string) => decodeProtectedHeader(idToken).kid;

/** An ID token from a new sign-in, once one is signed by `kid` (each web process picks a new key up within OIDC_KEYS_REFRESH_MS). */
async function idTokenSignedBy(kid: string): Promise<string> {
  return eventually(`an ID token signed by ${kid}`, async () => {
    const { id_token } = await rp.signIn(browser);
    return kidOf(id_token!) === kid && id_token;
  });
}

async function cli(...args: string[]): Promise<string[]> {
  const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], { env: { ...process.env, ...stack.env } });
  assert.equal(stderr.replace(/.*oidc-provider WARNING.*\n?/g, ''), '');
  return stdout.trim().split('\n');
}

describe('signing key rotation', () => {
  test('tokens signed before a rotation still verify; new ones carry the new key; a retired key leaves the JWKS when its time is up', async () => {
    const before = await rp.signIn(browser);
    const oldKid = kidOf(before.id_token!)!;
    assert.deepEqual(kidsOf(await jwks()), [oldKid], 'one key at first');
    assert.ok(await verifies(before.id_token!));

    const rotation = await rotateSigningKey(stack, systemContext());
    assert.deepEqual(rotation.retired, [oldKid]);
    const afterCommand = await idTokenSignedBy(rotation.kid);
    assert.notEqual(rotation.kid, oldKid);
    assert.deepEqual(kidsOf(await jwks()), [oldKid, rotation.kid].sort(), 'the old key is still published beside the new one');
    assert.ok(await verifies(before.id_token!), 'a token signed before the rotation still verifies');
    assert.ok(await verifies(afterCommand));
    assert.equal((await auditEvents(stack, { action: 'oidc.key_rotated', target: `key:${rotation.kid}` })).length, 1);

    // The same from the command line, as an operator runs it: the new key's id is its last line.
    const out = await cli('keys', 'rotate');
    const cliKid = out[out.length - 1];
    assert.ok(![oldKid, rotation.kid].includes(cliKid), `a new key: ${out.join(' | ')}`);
    const afterCli = await idTokenSignedBy(cliKid);
    assert.deepEqual(kidsOf(await jwks()), [oldKid, rotation.kid, cliKid].sort());
    assert.ok(await verifies(before.id_token!));
    assert.ok(await verifies(afterCommand));
    assert.ok(await verifies(afterCli));

    // Every token the first key signed has expired: it leaves the JWKS, the others stay.
    await endKeyPublication(stack, oldKid);
    await eventually('the first key gone from the JWKS', async () => !kidsOf(await jwks()).includes(oldKid));
    assert.deepEqual(kidsOf(await jwks()), [rotation.kid, cliKid].sort());
    assert.equal(await verifies(before.id_token!), false, 'nothing verifies against a key no longer published');
    assert.ok(await verifies(afterCommand));
    assert.equal(kidOf((await rp.signIn(browser)).id_token!), cliKid, 'the newest key still signs');
  });

  test('private keys are stored sealed, and the JWKS publishes public halves only', async () => {
    const rows = await stack.db('oidc_keys').select('kid', 'public_jwk', 'private_encrypted');
    assert.ok(rows.length >= 1);
    for (const row of rows as { kid: string; public_jwk: string; private_encrypted: string }[]) {
      const pub = JSON.parse(row.public_jwk) as Record<string, unknown>;
      assert.equal(pub.kid, row.kid);
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        assert.equal(pub[member], undefined, `no "${member}" in the public JWK of ${row.kid}`);
        assert.ok(!row.private_encrypted.includes(`"${member}"`), `no "${member}" in clear in the sealed private key of ${row.kid}`);
      }
      assert.ok(!row.private_encrypted.includes(String(pub.n)), 'not even the modulus in clear');
    }
    for (const key of (await jwks()).keys) assert.equal((key as Record<string, unknown>).d, undefined);
  });
});
