// Signed checkpoints anchor the audit chain outside the database. The chain alone only shows that
// the rows agree with each other: whoever can write the database can edit an event, compute every
// later hash and the head again, and the chain is whole. A checkpoint is the chain's hash at one
// sequence number signed with an Ed25519 key the database does not hold, and copied where an
// operator keeps it apart (the log, a file): a log that no longer leads to every published
// checkpoint's hash was changed below it, and one that ends before it was cut short.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export interface Checkpoint {
  seq: number;
  /** The chain's hash at `seq` (the hash of event `seq`), which covers every event up to it. */
  hash: string;
  /** When it was signed. */
  at: string;
  /** Which key signed it (keyIdOf), so rotated keys can be told apart. */
  keyId: string;
  /** Ed25519 signature of checkpointMessage, base64. */
  sig: string;
}

// The signed text names what it is and its version, so a signature made for anything else with the
// same key can never pass for a checkpoint.
const CONTEXT = 'passerelle-audit-checkpoint/1';

export function checkpointMessage(c: Omit<Checkpoint, 'sig'>): Buffer {
  return Buffer.from(JSON.stringify([CONTEXT, c.seq, c.hash, c.at, c.keyId]));
}

// RFC 8410: an Ed25519 private key in PKCS#8 DER is this fixed prefix followed by the 32-byte seed.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const KEY_FORMS = 'a PEM private key (-----BEGIN PRIVATE KEY-----) or the base64 of a 32-byte Ed25519 seed (passerelle audit new-key makes one)';

/**
 * AUDIT_SIGNING_KEY: PEM (PKCS#8; "\n" may be written as the two characters \ n, for one-line
 * environment files), or base64 of the raw 32-byte seed or of the PKCS#8 DER. The error never
 * quotes the value.
 */
export function parseSigningKey(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  try {
    if (t.startsWith('-----BEGIN')) key = createPrivateKey(t.replace(/\\n/g, '\n'));
    else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
      const der = Buffer.from(t, 'base64');
      key = createPrivateKey({ key: der.length === 32 ? Buffer.concat([PKCS8_SEED_PREFIX, der]) : der, format: 'der', type: 'pkcs8' });
    } else throw new Error('not PEM or base64');
  } catch {
    throw new Error(`must be ${KEY_FORMS}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`must be an Ed25519 key, not ${key.asymmetricKeyType}; ${KEY_FORMS}`);
  return key;
}

/** A public key as `passerelle audit public-key` prints it (PEM, SPKI); a private key gives its public half. */
export function parsePublicKey(text: string): KeyObject {
  const key = createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** A new signing key, in the one-line form AUDIT_SIGNING_KEY takes (base64 of the seed). */
export function newSigningKey(): string {
  const der = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' });
  return der.subarray(PKCS8_SEED_PREFIX.length).toString('base64');
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

export function publicKeyPem(key: KeyObject): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** The first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(publicKeyOf(key).export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function signCheckpoint(key: KeyObject, point: { seq: number; hash: string }, at: string): Checkpoint {
  const unsigned = { seq: point.seq, hash: point.hash, at, keyId: keyIdOf(key) };
  return { ...unsigned, sig: sign(null, checkpointMessage(unsigned), key).toString('base64') };
}

/**
 * Whether `c` was signed by `publicKey` (and names it). Runs in libuv's thread pool, so `audit
 * verify` checks signatures on another core while it hashes the chain.
 */
export function verifyCheckpoint(c: Checkpoint, publicKey: KeyObject): Promise<boolean> {
  const sig = Buffer.from(c.sig, 'base64');
  if (sig.length !== 64) return Promise.resolve(false);
  return new Promise((resolve) => verify(null, checkpointMessage(c), publicKey, sig, (err, ok) => resolve(!err && ok)));
}

const checkpointSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().max(40),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
});

/**
 * One line of the checkpoint file. The log line carries the same object under the same key, so an
 * operator's copy of the worker's log serves as a checkpoint file too.
 */
export function checkpointLine(c: Checkpoint): string {
  return JSON.stringify({ auditCheckpoint: { v: 1, ...c } });
}

export const CHECKPOINT_KEY = 'auditCheckpoint';

export interface LineCheckpoint extends Checkpoint {
  line: number;
}

/**
 * The checkpoints in a checkpoint file or a copy of the worker's log (JSON lines). Lines that do not
 * mention a checkpoint (other log lines) are counted and skipped; a line that does but is not a
 * well-formed one is an error naming the line, never skipped.
 */
export function readCheckpointLines(text: string): { checkpoints: LineCheckpoint[]; ignored: number } | { error: string } {
  const checkpoints: LineCheckpoint[] = [];
  let ignored = 0;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.includes(`"${CHECKPOINT_KEY}"`)) {
      ignored++;
      continue;
    }
    let value: unknown;
    try {
      value = (JSON.parse(line) as Record<string, unknown>)[CHECKPOINT_KEY];
    } catch {
      value = undefined;
    }
    const parsed = checkpointSchema.safeParse(value);
    if (!parsed.success) return { error: `line ${i + 1} is not a well-formed audit checkpoint` };
    const { v: _version, ...c } = parsed.data;
    checkpoints.push({ ...c, line: i + 1 });
  }
  return { checkpoints, ignored };
}

/**
 * Whether a new checkpoint is due: `everyEvents` events since the last one, or events waiting for
 * one for `everyMinutes` (so an event is covered within about that long, however quiet the log).
 */
export function checkpointDue(o: {
  headSeq: number;
  lastSeq: number;
  /** `at` of the oldest event after the last checkpoint. */
  oldestUncoveredAt: string | null;
  now: number;
  everyEvents: number;
  everyMinutes: number;
}): boolean {
  const pending = o.headSeq - o.lastSeq;
  if (pending <= 0) return false;
  if (pending >= o.everyEvents) return true;
  // An unreadable time (an edited row) counts as old: better a checkpoint too many.
  const age = o.now - Date.parse(o.oldestUncoveredAt ?? '');
  return !(age < o.everyMinutes * 60_000);
}
