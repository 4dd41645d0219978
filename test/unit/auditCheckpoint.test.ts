import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  checkpointDue, checkpointLine, keyIdOf, newSigningKey, parsePublicKey, parseSigningKey, publicKeyOf, publicKeyPem,
  readCheckpointLines, signCheckpoint, verifyCheckpoint,
} from '../../src/domain/auditCheckpoint.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startWorker } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';
import type { Db } from '../../src/db/knex.ts';

const HASH = 'ab'.repeat(32);

test('a checkpoint verifies under its public key, and not once any signed field changes', async () => {
  const key = parseSigningKey(newSigningKey());
  const c = signCheckpoint(key, { seq: 42, hash: HASH }, '2026-12-03T10:00:00.000Z');
  assert.equal(c.keyId, keyIdOf(key));
  assert.equal(await verifyCheckpoint(c, publicKeyOf(key)), true);
  for (const changed of [{ seq: 43 }, { hash: 'cd'.repeat(32) }, { at: '2026-12-03T10:00:01.000Z' }, { keyId: '0'.repeat(16) }]) {
    assert.equal(await verifyCheckpoint({ ...c, ...changed }, publicKeyOf(key)), false, JSON.stringify(changed));
  }
  const other = parseSigningKey(newSigningKey());
  assert.equal(await verifyCheckpoint(c, publicKeyOf(other)), false, 'another key');
  assert.equal(await verifyCheckpoint({ ...c, sig: 'AAAA' }, publicKeyOf(key)), false, 'a short signature');
});

test('the signing key is read as a base64 seed, PKCS#8 DER or PEM, and its public key round-trips', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const id = keyIdOf(privateKey);
  assert.equal(keyIdOf(parseSigningKey(der.subarray(16).toString('base64'))), id);
  assert.equal(keyIdOf(parseSigningKey(der.toString('base64'))), id);
  assert.equal(keyIdOf(parseSigningKey(pem)), id);
  assert.equal(keyIdOf(parseSigningKey(pem.replace(/\n/g, '\\n'))), id, 'PEM on one line');
  assert.equal(keyIdOf(parsePublicKey(publicKeyPem(privateKey))), id);
  assert.throws(() => parseSigningKey('not a key'), /PEM private key .* base64 of a 32-byte Ed25519 seed/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => parseSigningKey(rsa), /must be an Ed25519 key, not rsa/);
});

test('configuration: a bad AUDIT_SIGNING_KEY is named without being quoted; defaults for the checkpoint rhythm', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
  assert.throws(() => loadConfig({ AUDIT_SIGNING_KEY: secret }), (err: Error) => /AUDIT_SIGNING_KEY: must be/.test(err.message) && !err.message.includes(secret));
  const config = loadConfig({});
  assert.deepEqual(config.audit, { signingKey: null, checkpointFile: null, checkpointEveryEvents: 1000, checkpointEveryMinutes: 5 });
  const seed = newSigningKey();
  assert.equal(keyIdOf(loadConfig({ AUDIT_SIGNING_KEY: seed }).audit.signingKey!), keyIdOf(parseSigningKey(seed)));
});

test('checkpoint lines are read from a checkpoint file or a log; a damaged one is named, never skipped', () => {
  const key = parseSigningKey(newSigningKey());
  const c = signCheckpoint(key, { seq: 7, hash: HASH }, '2026-12-03T10:00:00.000Z');
  const logLine = JSON.stringify({ level: 30, time: 1, name: 'passerelle-worker', auditCheckpoint: { v: 1, ...c }, msg: 'audit checkpoint' });
  const text = ['{"level":30,"msg":"worker started"}', checkpointLine(c), '', logLine, 'plain text'].join('\n');
  const read = readCheckpointLines(text);
  assert.ok('checkpoints' in read);
  assert.deepEqual(read.checkpoints, [{ ...c, line: 2 }, { ...c, line: 4 }]);
  assert.equal(read.ignored, 2);
  const damaged = checkpointLine(c).replace(HASH, 'zz'.repeat(32));
  assert.deepEqual(readCheckpointLines(`${checkpointLine(c)}\n${damaged}`), { error: 'line 2 is not a well-formed audit checkpoint' });
  assert.deepEqual(readCheckpointLines(checkpointLine(c).slice(0, 60)), { error: 'line 1 is not a well-formed audit checkpoint' });
});

test('a checkpoint is due after N events, or once an uncovered event is M minutes old, and never with nothing new', () => {
  const now = Date.parse('2026-12-03T10:10:00.000Z');
  const base = { now, everyEvents: 1000, everyMinutes: 5 };
  assert.equal(checkpointDue({ ...base, headSeq: 10, lastSeq: 10, oldestUncoveredAt: null }), false);
  assert.equal(checkpointDue({ ...base, headSeq: 1010, lastSeq: 10, oldestUncoveredAt: null }), true);
  assert.equal(checkpointDue({ ...base, headSeq: 11, lastSeq: 10, oldestUncoveredAt: '2026-12-03T10:09:00.000Z' }), false);
  assert.equal(checkpointDue({ ...base, headSeq: 11, lastSeq: 10, oldestUncoveredAt: '2026-12-03T10:05:00.000Z' }), true);
  assert.equal(checkpointDue({ ...base, headSeq: 11, lastSeq: 10, oldestUncoveredAt: 'garbage' }), true);
});

test('in production the worker does not start without a signing key (the web process never needs one)', async () => {
  const production = {
    NODE_ENV: 'production', PUBLIC_URL: 'https://partners.example.test', SESSION_SECRET: 'a-production-secret-of-enough-length-0123456789', OIDC_SECRET_KEY: 'a-production-oidc-key-of-enough-length-0123456789',
  };
  const config = loadConfig(production);
  await assert.rejects(
    startWorker({ config, db: null as unknown as Db }, createLogger('silent', 'test')),
    (err: Error) => err instanceof ConfigError && /AUDIT_SIGNING_KEY: required in production for the worker/.test(err.message),
  );
});
