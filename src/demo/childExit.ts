// What the demo makes of one of its processes (web, worker, Partner Wiki) ending. The terminal's
// Ctrl+C reaches them along with the demo itself, so while the demo is stopping their end is
// expected; before that, any end (even code 0) leaves the demo half running.

/**
 * The line to print when a child ends, or null when its end is the expected part of a stop.
 * `stopping` is whether the demo had begun to stop when the child ended.
 */
export function describeChildExit(name: string, code: number | null, signal: NodeJS.Signals | null, stopping: boolean): string | null {
  const how = code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'an unknown cause'}`;
  if (!stopping) return `A Passerelle process (${name}) ${how}; stopping the demo.`;
  // A child that was told to stop and did not close cleanly (its close failed) still says so.
  if (code !== null && code !== 0) return `A Passerelle process (${name}) ${how} while the demo was stopping.`;
  return null;
}
