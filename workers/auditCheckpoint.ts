// Signs the audit chain's head now and then (AUDIT_CHECKPOINT_EVERY_EVENTS new events, or events
// waiting for AUDIT_CHECKPOINT_EVERY_MINUTES) and publishes the checkpoint: the checkpoint file, the
// log, then the database. It first checks that the log still leads from the last checkpoints it can
// trust to the head, so a log rewritten below a checkpoint is refused, loudly, instead of signed.
// Safe to run twice: a second run finds the head signed and does nothing. It takes no lock: the head
// row is read as committed, and every event up to it was committed with it.
import type { Logger } from 'pino';
import type { Deps } from '../src/deps.ts';
import { readAuditHead, verifyAuditChain } from '../src/db/audit.ts';
import { eventTimeAfter, insertCheckpoint, latestCheckpoint } from '../src/db/auditCheckpoints.ts';
import { appendCheckpoint, lastCheckpointInFile } from '../src/audit/checkpointFile.ts';
import { checkpointDue, keyIdOf, publicKeyOf, signCheckpoint, verifyCheckpoint, type Checkpoint } from '../src/domain/auditCheckpoint.ts';
import type { ChainAnchor, ChainPoint } from '../src/domain/auditChain.ts';
import { addOnce, JOBS, type Queues } from '../src/queue/queues.ts';

async function isDue(deps: Deps, head: ChainPoint, last: Checkpoint | null): Promise<boolean> {
  const lastSeq = last?.seq ?? 0;
  if (head.seq <= lastSeq) return false;
  const { checkpointEveryEvents: everyEvents, checkpointEveryMinutes: everyMinutes } = deps.config.audit;
  const oldestUncoveredAt = head.seq - lastSeq >= everyEvents ? null : await eventTimeAfter(deps.db, lastSeq);
  return checkpointDue({ headSeq: head.seq, lastSeq, oldestUncoveredAt, now: Date.now(), everyEvents, everyMinutes });
}

/** The worker's timer: two reads, and a job only when a checkpoint is due. */
export async function enqueueCheckpointIfDue(deps: Deps, queues: Queues): Promise<boolean> {
  if (!deps.config.audit.signingKey) return false;
  const [head, last] = await Promise.all([readAuditHead(deps.db), latestCheckpoint(deps.db)]);
  if (!(await isDue(deps, head, last))) return false;
  return addOnce(queues[JOBS.auditCheckpoint], 'audit-checkpoint', {});
}

export class ChainNotExtendedError extends Error {}

export async function writeCheckpoint(deps: Deps, log: Logger): Promise<'written' | 'not-due' | 'no-key'> {
  const { db, config } = deps;
  const key = config.audit.signingKey;
  if (!key) return 'no-key';
  const head = await readAuditHead(db);
  const last = await latestCheckpoint(db);
  if (!(await isDue(deps, head, last))) return 'not-due';

  // What this worker trusts to start from: the newest checkpoint of the database and of its own
  // file, each only if this key signed it. One signed by another key (before a rotation) is passed
  // over, and the log is then checked from its start; one that claims this key but does not verify
  // was forged.
  const file = config.audit.checkpointFile;
  const candidates: [Checkpoint | null, string][] = [
    [last, 'the database'],
    [file ? await lastCheckpointInFile(file) : null, file ?? ''],
  ];
  const anchors: ChainAnchor[] = [];
  const keyId = keyIdOf(key);
  for (const [c, where] of candidates) {
    if (!c || c.keyId !== keyId) continue;
    const label = `the checkpoint at event ${c.seq} in ${where} (signed ${c.at})`;
    if (!(await verifyCheckpoint(c, publicKeyOf(key)))) return refuse(log, `${label} has a signature that does not verify: it was forged`);
    anchors.push({ seq: c.seq, hash: c.hash, label });
  }
  const from = anchors.length ? anchors.reduce((a, b) => (a.seq <= b.seq ? a : b)) : undefined;
  const check = await verifyAuditChain(db, { from, anchors, upTo: head });
  if (!check.ok) return refuse(log, `event ${check.badSeq}: ${check.reason}`);

  const checkpoint = signCheckpoint(key, head, new Date().toISOString());
  // Outside copies first: a checkpoint the database has but no copy does proves nothing more.
  if (file) await appendCheckpoint(file, checkpoint);
  log.info({ auditCheckpoint: { v: 1, ...checkpoint } }, 'audit checkpoint');
  await insertCheckpoint(db, checkpoint);
  return 'written';
}

function refuse(log: Logger, why: string): never {
  const message = `the audit log does not extend its last signed checkpoint, so no new one is signed: ${why}`;
  log.error({ auditChain: why }, message);
  throw new ChainNotExtendedError(message);
}
