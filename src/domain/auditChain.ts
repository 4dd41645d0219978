// The audit log is a hash chain: each event's hash covers its content and the previous hash, so an
// edited, deleted or reordered row breaks every link after it. Someone who can write the database
// can compute the links again, though: anchors (signed checkpoints, auditCheckpoint.ts) catch that.
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  correlation_id: string | null;
  details: string;
  prev_hash: string;
}

/** The exact text an event's hash covers: a JSON array in a fixed field order. */
export function canonicalEvent(e: ChainedEvent): string {
  // A fixed field order, so the hash never depends on how a driver orders columns.
  return JSON.stringify([
    Number(e.seq), e.at, e.actor_type, e.actor_id, e.actor_label, e.action, e.target, e.outcome,
    e.ip, e.correlation_id, e.details, e.prev_hash,
  ]);
}

/** SHA-256 of the canonical text, in hex. */
export function canonicalHash(canonical: string): string {
  // The one-shot hash: the same digest as createHash('sha256').update(…).digest('hex'), without a
  // Hash object per event (that object was a third of the hashing cost of `audit verify`).
  return hash('sha256', canonical, 'hex');
}

export function eventHash(e: ChainedEvent): string {
  return canonicalHash(canonicalEvent(e));
}

export type ChainCheck = { ok: true; count: number } | { ok: false; badSeq: number; reason: string };

/** A point of the chain: the hash of event `seq` (the genesis hash at 0). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/**
 * A hash the chain must have at `seq`, known from outside the rows (a signed checkpoint); `label`
 * names it in a failure.
 */
export interface ChainAnchor extends ChainPoint {
  label: string;
}

/** Walks events in order; `expect` carries the state between pages of a long log. */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private count = 0;
  private readonly anchors: ChainAnchor[];
  private nextAnchor = 0;
  /** The next anchor's seq (-1: none left), compared with every event: kept in a field, not looked up. */
  private anchorSeq: number;
  /** The last anchor met (or the start): a failing anchor names the events since. */
  private lastAnchored: number;

  /**
   * `start`: a point already trusted (a checkpoint), to check only the events after it; anchors at or
   * before it are not looked at.
   */
  constructor(anchors: readonly ChainAnchor[] = [], start: ChainPoint = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.prevHash = start.hash;
    this.lastAnchored = start.seq;
    this.anchors = anchors.filter((a) => a.seq > start.seq).sort((a, b) => a.seq - b.seq);
    this.anchorSeq = this.anchors[0]?.seq ?? -1;
  }

  check(e: ChainedEvent & { hash: string }): ChainCheck | null {
    return this.link(e) ?? this.content(e, eventHash(e));
  }

  /**
   * The same check when the canonical text was built elsewhere (by the database, to spare reading
   * every column): `canonical` must be exactly what canonicalEvent gives for this event. 'recheck'
   * when its hash does not match: the caller reads the whole row and `check` decides, nothing moved.
   */
  checkCanonical(e: { seq: number | string; prev_hash: string; hash: string }, canonical: string): ChainCheck | null | 'recheck' {
    const bad = this.link(e);
    if (bad) return bad;
    return canonicalHash(canonical) === e.hash ? this.content(e, e.hash) : 'recheck';
  }

  /** The sequence number and the previous-hash link. */
  private link(e: { seq: number | string; prev_hash: string }): ChainCheck | null {
    const seq = Number(e.seq);
    if (seq !== this.expectedSeq) {
      return { ok: false, badSeq: this.expectedSeq, reason: `expected event ${this.expectedSeq}, found ${seq}` };
    }
    if (e.prev_hash !== this.prevHash) {
      return { ok: false, badSeq: seq, reason: 'previous-hash link does not match the event before it' };
    }
    return null;
  }

  /** The content against its stored hash; moves on to the next event when they match. */
  private content(e: { seq: number | string; hash: string }, computed: string): ChainCheck | null {
    const seq = Number(e.seq);
    if (computed !== e.hash) {
      return { ok: false, badSeq: seq, reason: 'content does not match its hash' };
    }
    this.expectedSeq = seq + 1;
    this.prevHash = e.hash;
    this.count += 1;
    return seq === this.anchorSeq ? this.anchored(seq, e.hash) : null;
  }

  /** Event `seq` matched its own hash: it must match every anchor at `seq` too. */
  private anchored(seq: number, hash: string): ChainCheck | null {
    for (; this.anchors[this.nextAnchor]?.seq === seq; this.nextAnchor++) {
      const a = this.anchors[this.nextAnchor];
      if (a.hash !== hash) {
        // The rows agree with each other but not with the signed hash: the chain was computed again
        // after something at or before `seq` was changed, added or removed.
        const since = this.lastAnchored + 1;
        const where = since === seq ? `event ${seq}` : `an event from ${since} to ${seq}`;
        return { ok: false, badSeq: seq, reason: `the log no longer matches ${a.label}: ${where} was changed, added or removed, and the hashes after it computed again` };
      }
    }
    this.lastAnchored = seq;
    this.anchorSeq = this.anchors[this.nextAnchor]?.seq ?? -1;
    return null;
  }

  finish(head: { seq: number; hash: string }): ChainCheck {
    if (Number(head.seq) !== this.expectedSeq - 1 || head.hash !== this.prevHash) {
      return { ok: false, badSeq: this.expectedSeq, reason: `the chain head says ${head.seq} events; events after ${this.expectedSeq - 1} are missing` };
    }
    // Every row and the head agree, yet an anchor lies beyond the last event: the newest events
    // were deleted and the head moved back.
    const beyond = this.anchors[this.nextAnchor];
    if (beyond) {
      const last = this.expectedSeq - 1;
      return { ok: false, badSeq: this.expectedSeq, reason: `the log ends at event ${last}, but ${beyond.label} covers events up to ${beyond.seq}: events after ${last} were deleted` };
    }
    return { ok: true, count: this.count };
  }
}
