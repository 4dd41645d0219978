// The signed checkpoints of the audit chain, as the database keeps them (see the migration for why
// they are kept elsewhere too).
import { writeOutsideAudit, type Db } from './knex.ts';
import type { Checkpoint } from '../domain/auditCheckpoint.ts';

interface CheckpointRow {
  seq: number | string;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

const fromRow = (r: CheckpointRow): Checkpoint => ({ seq: Number(r.seq), hash: r.hash, at: r.at, keyId: r.key_id, sig: r.signature });

export async function latestCheckpoint(db: Db): Promise<Checkpoint | null> {
  const row = await db<CheckpointRow>('audit_checkpoints').orderBy('seq', 'desc').first();
  return row ? fromRow(row) : null;
}

/** Every checkpoint, oldest first (a few hundred bytes each; one per thousand events or five minutes). */
export async function listCheckpoints(db: Db): Promise<Checkpoint[]> {
  return (await db<CheckpointRow>('audit_checkpoints').orderBy('seq', 'asc')).map(fromRow);
}

/**
 * Keeps a checkpoint; false when one for that seq is there already (another worker signed the same
 * head). Not an audited state change: the checkpoint attests the chain, and an event for it would
 * move the head past it, which would call for another checkpoint, and so on for ever.
 */
export async function insertCheckpoint(db: Db, c: Checkpoint): Promise<boolean> {
  const row: CheckpointRow = { seq: c.seq, hash: c.hash, at: c.at, key_id: c.keyId, signature: c.sig };
  const inserted = await writeOutsideAudit(db, (q) => q('audit_checkpoints').insert(row).onConflict('seq').ignore().returning('seq'));
  return inserted.length > 0;
}

/** When the oldest event after `seq` happened (null: there is none). */
export async function eventTimeAfter(db: Db, seq: number): Promise<string | null> {
  const row = await db('audit_events').where('seq', '>', seq).orderBy('seq', 'asc').first('at');
  return row?.at ?? null;
}
