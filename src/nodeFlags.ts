/**
 * Node flags for the web and worker processes, wherever they are started from (`npm start`, the test
 * harness, the benchmark); in production, put them in NODE_OPTIONS (README). Measured with
 * `npm run bench` (docs/performance.md): V8's defaults let a loaded process grow its young generation
 * to 32 MB and its old one by ~100 MB of garbage before collecting, for 240 MB resident; a process
 * holds about 30 MB of live objects. With these it stays near 120 MB at the same throughput.
 *
 * The web gets a young generation twice the worker's: a page allocates a lot that dies young, and
 * with 4 MB it spent a fifth more CPU per request (2.5 against 3.1-4.0 ms, alternating runs) for
 * 15 MB less memory; the worker keeps 4 MB, where its 120 MB target leaves no room.
 */
const BY_COMMAND: Record<string, string[]> = {
  web: ['--max-semi-space-size=8', '--max-old-space-size=96'],
  worker: ['--max-semi-space-size=4', '--max-old-space-size=96'],
};

/** The flags for a `passerelle` command: `web` and `worker` get the measured ones, the rest none. */
export function nodeFlagsFor(command: string | undefined): string[] {
  return BY_COMMAND[command ?? ''] ?? [];
}
