// The one clock that time-based work reads (today: the invitation expiry sweep). In production it is
// the machine's clock. Tests and the demo move it forward with PASSERELLE_CLOCK_OFFSET_MS (read once,
// at start) or setClockOffsetMs in-process, so that "fourteen days later" needs no waiting.
let offsetMs = readOffset(process.env.PASSERELLE_CLOCK_OFFSET_MS);

function readOffset(raw: string | undefined): number {
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`PASSERELLE_CLOCK_OFFSET_MS must be a number of milliseconds, got ${JSON.stringify(raw)}`);
  if (n !== 0 && process.env.NODE_ENV === 'production') throw new Error('PASSERELLE_CLOCK_OFFSET_MS is for tests and the demo; it is refused in production');
  return Math.trunc(n);
}

/** Milliseconds since the epoch, on the (possibly moved) clock. */
export function now(): number {
  return Date.now() + offsetMs;
}

/** The same instant as an ISO string, as the database stores times. */
export function nowIso(): string {
  return new Date(now()).toISOString();
}

/** For tests in-process: move the clock (0 puts it back). */
export function setClockOffsetMs(ms: number): void {
  offsetMs = Math.trunc(ms);
}
