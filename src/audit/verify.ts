// `passerelle audit verify`: the chain, and the signed checkpoints it must still lead to: the
// database's, and those of the files an operator kept (checkpoint files, copies of the worker's log).
import type { KeyObject } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { readAuditHead, verifyAuditChain } from '../db/audit.ts';
import { listCheckpoints } from '../db/auditCheckpoints.ts';
import { verifyCheckpoint, type Checkpoint } from '../domain/auditCheckpoint.ts';

export interface SourcedCheckpoint extends Checkpoint {
  /** Where it was read: "the database", "FILE line N". */
  source: string;
}

export type AuditVerdict =
  | { ok: true; events: number; checkpoints: SourcedCheckpoint[]; unchecked: number }
  | { ok: false; message: string; badSeq: number };

/**
 * `keys`: the public keys checkpoints may be signed with, by key id. With none, the database's
 * checkpoints are still held against the chain but their signatures are not checked (`unchecked`);
 * checkpoints from files are refused without a key (the caller asks for one).
 */
export async function verifyAudit(
  db: Db,
  keys: ReadonlyMap<string, KeyObject>,
  external: SourcedCheckpoint[],
  /** Check up to the head as it is when the checkpoints have been read (a live log keeps growing meanwhile). */
  options: { upToHead?: boolean } = {},
): Promise<AuditVerdict> {
  // Read before the chain: every stored checkpoint then covers events committed before the chain is
  // read, so one beyond the last event means events were deleted, not that they came meanwhile.
  const stored: SourcedCheckpoint[] = (await listCheckpoints(db)).map((c) => ({ ...c, source: 'the database' }));
  const upTo = options.upToHead ? await readAuditHead(db) : undefined;
  const all = [...stored, ...external];
  const label = (c: SourcedCheckpoint) =>
    `the checkpoint at event ${c.seq} in ${c.source} (signed ${c.at}${keys.size ? '' : '; its signature not checked, no key given'})`;
  // Checked in the thread pool while this thread hashes the chain.
  const signatures = Promise.all(
    all.map(async (c): Promise<string | null | 'unchecked'> => {
      const key = keys.get(c.keyId);
      if (key) return (await verifyCheckpoint(c, key)) ? null : `its signature does not verify under key ${c.keyId}: it was forged or altered`;
      if (keys.size) return `it names key ${c.keyId}, which is not one of the keys given (${[...keys.keys()].join(', ')})`;
      return 'unchecked';
    }),
  );
  const chain = await verifyAuditChain(db, { anchors: all.map((c) => ({ seq: c.seq, hash: c.hash, label: label(c) })), upTo });
  const results = await signatures;
  // A checkpoint that is not ours says nothing about the chain: that is the finding, whatever the
  // chain check made of its hash.
  const forged = all.map((c, i) => ({ c, why: results[i] })).filter((x) => x.why && x.why !== 'unchecked').sort((a, b) => a.c.seq - b.c.seq)[0];
  if (forged) return { ok: false, badSeq: forged.c.seq, message: `Audit checkpoint at event ${forged.c.seq} in ${forged.c.source} refused: ${forged.why}.` };
  if (!chain.ok) return { ok: false, badSeq: chain.badSeq, message: `Audit log broken at event ${chain.badSeq}: ${chain.reason}.` };
  return { ok: true, events: chain.count, checkpoints: all, unchecked: results.filter((r) => r === 'unchecked').length };
}
