// The audit log is a hash chain: each event's hash covers its content and the previous hash, so an
// edited, deleted or reordered row breaks every link after it.
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

/** Walks events in order; `expect` carries the state between pages of a long log. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;

  check(e: ChainedEvent & { hash: string }): ChainCheck | null {
    return this.link(e) ?? this.content(e, eventHash(e));
  }

  /**
   * The same check when the canonical text was built elsewhere (by the database, to spare reading
   * every column): `canonical` must be exactly what canonicalEvent gives for this event.
   */
  checkCanonical(e: { seq: number | string; prev_hash: string; hash: string }, canonical: string): ChainCheck | null {
    return this.link(e) ?? this.content(e, canonicalHash(canonical));
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
    return null;
  }

  finish(head: { seq: number; hash: string }): ChainCheck {
    if (Number(head.seq) !== this.expectedSeq - 1 || head.hash !== this.prevHash) {
      return { ok: false, badSeq: this.expectedSeq, reason: `the chain head says ${head.seq} events; events after ${this.expectedSeq - 1} are missing` };
    }
    return { ok: true, count: this.count };
  }
}
