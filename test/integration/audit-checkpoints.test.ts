// Whoever can write the database can change an audit event, compute every hash after it and the head
// again, and the chain is whole: `passerelle audit verify` alone passes. The worker signs checkpoints
// of the chain (Ed25519, a key the database does not hold) and publishes them to a file and its log;
// the log must still lead to every one of them, so the rewrite, a truncation and a forged checkpoint
// are caught. Each attack below is done the way an attacker would: direct SQL, the same hashing code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { startWorkerProcess, waitForOutput, type Proc } from '../harness/processes.ts';
import { auditEvent } from '../harness/stored.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { appendAudit, readAuditHead } from '../../src/db/audit.ts';
import { latestCheckpoint } from '../../src/db/auditCheckpoints.ts';
import { eventHash, GENESIS_HASH } from '../../src/domain/auditChain.ts';
import { checkpointLine, keyIdOf, newSigningKey, parseSigningKey, readCheckpointLines, signCheckpoint, type Checkpoint } from '../../src/domain/auditCheckpoint.ts';

const exec = promisify(execFile);
let stack: Stack;
let dir: string;
let file: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-checkpoints-'));
  file = path.join(dir, 'checkpoints.jsonl');
  // Events older than 0.3 s are due for a checkpoint, so the worker signs soon after each batch.
  stack = await startStack({ web: false, env: { AUDIT_CHECKPOINT_FILE: file, AUDIT_CHECKPOINT_EVERY_MINUTES: '0.005' } });
});
after(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function passerelle(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], { env: { ...process.env, ...stack.env, ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function addEvents(n: number): Promise<number> {
  await inTransaction(stack.db, async (trx) => {
    for (let i = 0; i < n; i++) {
      await appendAudit(trx, { actor: { type: 'user', id: 'user:1', label: 'ada.admin@passerelle.test' }, ip: '127.0.0.1', correlationId: null }, {
        action: 'test.checkpointed',
        target: `thing:${i}`,
        details: { i },
      });
    }
  });
  return (await readAuditHead(stack.db)).seq;
}

const fileCheckpoints = (text: string): (Checkpoint & { line: number })[] => {
  const read = readCheckpointLines(text);
  assert.ok('checkpoints' in read, JSON.stringify(read));
  return read.checkpoints;
};

/** Waits until the worker has signed event `seq` and published it to the file and the database. */
async function checkpointAt(seq: number): Promise<Checkpoint & { line: number }> {
  await eventually(`a checkpoint of event ${seq} in the database`, async () => (await latestCheckpoint(stack.db))?.seq === seq);
  const inFile = fileCheckpoints(fs.readFileSync(file, 'utf8')).find((c) => c.seq === seq);
  assert.ok(inFile, `the file has the checkpoint of event ${seq}`);
  return inFile;
}

type Snapshot = { events: Record<string, unknown>[]; head: { seq: number; hash: string }; checkpoints: Record<string, unknown>[] };

async function snapshot(): Promise<Snapshot> {
  return {
    events: await stack.db('audit_events').orderBy('seq'),
    head: await readAuditHead(stack.db),
    checkpoints: await stack.db('audit_checkpoints').orderBy('seq'),
  };
}

async function restore(s: Snapshot): Promise<void> {
  await stack.db('audit_events').delete();
  for (let i = 0; i < s.events.length; i += 50) await stack.db('audit_events').insert(s.events.slice(i, i + 50));
  await stack.db('audit_head').where({ id: 1 }).update(s.head);
  await stack.db('audit_checkpoints').delete();
  if (s.checkpoints.length) await stack.db('audit_checkpoints').insert(s.checkpoints);
}

/** The attacker: changes one event's details, then computes every later hash and the head again. */
async function rewriteEvent(seq: number, details: string): Promise<void> {
  const rows = await stack.db('audit_events').where('seq', '>=', seq).orderBy('seq');
  let prev = seq > 1 ? (await auditEvent(stack, { seq: seq - 1 })).hash : GENESIS_HASH;
  for (const r of rows) {
    const e = { ...r, seq: Number(r.seq), details: Number(r.seq) === seq ? details : r.details, prev_hash: prev };
    const hash = eventHash(e);
    await stack.db('audit_events').where({ seq: r.seq }).update({ details: e.details, prev_hash: prev, hash });
    prev = hash;
  }
  await stack.db('audit_head').where({ id: 1 }).update({ seq: Number(rows.at(-1).seq), hash: prev });
}

let first: Checkpoint & { line: number };
let second: Checkpoint & { line: number };
let victim = 0;

test('the worker signs the chain head, publishes the checkpoint to its file and the database, and audit verify holds the log to it', async () => {
  first = await checkpointAt(await addEvents(12));
  victim = first.seq - 5;
  second = await checkpointAt(await addEvents(12));
  assert.equal(second.keyId, keyIdOf(parseSigningKey(stack.env.AUDIT_SIGNING_KEY)));

  const plain = await passerelle(['audit', 'verify']);
  assert.equal(plain.code, 0, plain.out);
  assert.match(plain.out, new RegExp(`Audit log intact: ${second.seq} event\\(s\\) verified\\.`));
  assert.match(plain.out, new RegExp(`Checkpoints it leads to, every signature checked: \\d+ \\(\\d+ in the database\\); the newest covers events up to ${second.seq}`));

  const withFile = await passerelle(['audit', 'verify', '--checkpoints', file]);
  assert.equal(withFile.code, 0, withFile.out);
  assert.match(withFile.out, new RegExp(`\\d+ in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));

  // An auditor holding only the public key, not the signing key.
  const pub = await passerelle(['audit', 'public-key']);
  assert.equal(pub.code, 0, pub.out);
  const pem = path.join(dir, 'audit-public.pem');
  fs.writeFileSync(pem, pub.out.slice(0, pub.out.indexOf('-----END PUBLIC KEY-----') + 25));
  const auditor = await passerelle(['audit', 'verify', '--checkpoints', file, '--public-key', pem], { AUDIT_SIGNING_KEY: '' });
  assert.equal(auditor.code, 0, auditor.out);
  const noKey = await passerelle(['audit', 'verify', '--checkpoints', file], { AUDIT_SIGNING_KEY: '' });
  assert.equal(noKey.code, 2, noKey.out);
  assert.match(noKey.out, /needs the public key/);

  // The attacks below edit the database directly: the worker stops, so nothing signs meanwhile.
  await stack.worker.close();
});

test('rewriting an event and every hash after it passes the bare chain check, but not the published checkpoints', async () => {
  const saved = await snapshot();
  try {
    await rewriteEvent(victim, '{"i":"edited"}');
    const againstDb = await passerelle(['audit', 'verify']);
    assert.equal(againstDb.code, 1, againstDb.out);
    assert.match(againstDb.out, new RegExp(`Audit log broken at event ${first.seq}: the log no longer matches the checkpoint at event ${first.seq} in the database`));

    // The attacker deletes the database's checkpoints too: the chain and the head agree again.
    await stack.db('audit_checkpoints').delete();
    const bare = await passerelle(['audit', 'verify']);
    assert.equal(bare.code, 0, `the chain alone cannot tell: ${bare.out}`);
    assert.match(bare.out, /No signed checkpoint covers it yet/);

    const held = await passerelle(['audit', 'verify', '--checkpoints', file]);
    assert.equal(held.code, 1, held.out);
    assert.match(held.out, new RegExp(`Audit log broken at event ${first.seq}: the log no longer matches the checkpoint at event ${first.seq} in ${file} line ${first.line} `));
    assert.match(held.out, new RegExp(`an event from \\d+ to ${first.seq} was changed, added or removed`));
  } finally {
    await restore(saved);
  }
  assert.equal((await passerelle(['audit', 'verify', '--checkpoints', file])).code, 0, 'restored');
});

test('deleting the newest events, a checkpointed one among them, and moving the head back is caught', async () => {
  const saved = await snapshot();
  try {
    await stack.db('audit_events').where('seq', '>', first.seq).delete();
    await stack.db('audit_head').where({ id: 1 }).update({ seq: first.seq, hash: first.hash });
    const againstDb = await passerelle(['audit', 'verify']);
    assert.equal(againstDb.code, 1, againstDb.out);
    assert.match(againstDb.out, new RegExp(`the log ends at event ${first.seq}, but the checkpoint at event ${second.seq} in the database .* events after ${first.seq} were deleted`));

    await stack.db('audit_checkpoints').where('seq', '>', first.seq).delete();
    assert.equal((await passerelle(['audit', 'verify'])).code, 0, 'nothing in the database shows it any more');
    const held = await passerelle(['audit', 'verify', '--checkpoints', file]);
    assert.equal(held.code, 1, held.out);
    assert.match(
      held.out,
      new RegExp(`Audit log broken at event ${first.seq + 1}: the log ends at event ${first.seq}, but the checkpoint at event ${second.seq} in ${file} line ${second.line} .*covers events up to ${second.seq}`),
    );
  } finally {
    await restore(saved);
  }
  assert.equal((await passerelle(['audit', 'verify', '--checkpoints', file])).code, 0, 'restored');
});

test('a checkpoint forged without the key, in the database or in a file, is refused', async () => {
  const saved = await snapshot();
  const ourKeyId = keyIdOf(parseSigningKey(stack.env.AUDIT_SIGNING_KEY));
  const theirs = parseSigningKey(newSigningKey());
  try {
    await rewriteEvent(victim, '{"i":"edited"}');
    await stack.db('audit_checkpoints').delete();
    const head = await readAuditHead(stack.db);
    // Signed with the attacker's key but naming ours, so that the key id looks right.
    const forged = { ...signCheckpoint(theirs, head, new Date().toISOString()), keyId: ourKeyId };
    await stack.db('audit_checkpoints').insert({ seq: forged.seq, hash: forged.hash, at: forged.at, key_id: forged.keyId, signature: forged.sig });
    const named = await passerelle(['audit', 'verify']);
    assert.equal(named.code, 1, named.out);
    assert.match(named.out, new RegExp(`Audit checkpoint at event ${head.seq} in the database refused: its signature does not verify under key ${ourKeyId}`));

    // Signed with, and naming, the attacker's own key.
    const own = signCheckpoint(theirs, head, new Date().toISOString());
    await stack.db('audit_checkpoints').update({ key_id: own.keyId, signature: own.sig, at: own.at });
    const foreign = await passerelle(['audit', 'verify']);
    assert.equal(foreign.code, 1, foreign.out);
    assert.match(foreign.out, new RegExp(`names key ${own.keyId}, which is not one of the keys given \\(${ourKeyId}\\)`));

    // The same forgery added to a copy of the checkpoint file.
    const copy = path.join(dir, 'forged.jsonl');
    fs.writeFileSync(copy, `${fs.readFileSync(file, 'utf8')}${checkpointLine(forged)}\n`);
    await stack.db('audit_checkpoints').delete();
    const fromFile = await passerelle(['audit', 'verify', '--checkpoints', copy]);
    assert.equal(fromFile.code, 1, fromFile.out);
    const line = fileCheckpoints(fs.readFileSync(copy, 'utf8')).at(-1)!.line;
    assert.match(fromFile.out, new RegExp(`Audit checkpoint at event ${head.seq} in ${copy} line ${line} refused: its signature does not verify`));
  } finally {
    await restore(saved);
  }
  assert.equal((await passerelle(['audit', 'verify', '--checkpoints', file])).code, 0, 'restored');
});

test("the worker's log serves as a checkpoint file, and the worker refuses to sign a log rewritten below its last checkpoint", async () => {
  const saved = await snapshot();
  let worker: Proc | undefined;
  try {
    worker = await startWorkerProcess(stack.env);
    const seq = await addEvents(5);
    await eventually(`the worker logs a checkpoint of event ${seq}`, async () => fileCheckpoints(worker!.output()).some((c) => c.seq === seq));
    const log = path.join(dir, 'worker.log');
    fs.writeFileSync(log, worker.output());
    const fromLog = await passerelle(['audit', 'verify', '--checkpoints', log]);
    assert.equal(fromLog.code, 0, fromLog.out);

    // Rewritten below the checkpoint, the database's checkpoints deleted, then a new event: the worker
    // has its own file to go by, and will not sign the rewritten log.
    await rewriteEvent(victim, '{"i":"edited"}');
    await stack.db('audit_checkpoints').delete();
    await addEvents(1);
    await waitForOutput(worker, 'the audit log does not extend its last signed checkpoint, so no new one is signed');
    assert.equal(await stack.db('audit_checkpoints').first(), undefined, 'nothing signed');
    fs.writeFileSync(log, worker.output());
    const caught = await passerelle(['audit', 'verify', '--checkpoints', log]);
    assert.equal(caught.code, 1, caught.out);
    assert.match(caught.out, new RegExp(`the log no longer matches the checkpoint at event ${seq} in ${log} line \\d+`));
  } finally {
    await worker?.kill('SIGTERM');
    await restore(saved);
  }
});
