// The one clock that time-based work reads (today: the invitation expiry sweep). In production it is
// the machine's clock. The worker moves it forward by config's CLOCK_OFFSET_MS (tests and the demo,
// refused in production), and tests in-process by setClockOffsetMs, so "fourteen days later" needs no
// waiting.
let offsetMs = 0;

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
