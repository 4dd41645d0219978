/**
 * Node flags for the web and worker processes, wherever they are started from (`npm start`, the test
 * harness, the benchmark); in production, put them in NODE_OPTIONS (README). Measured with
 * `npm run bench` (docs/performance.md): V8's defaults let a loaded process grow its young generation
 * to 32 MB and its old one by ~100 MB of garbage before collecting, for 240 MB resident; a process
 * holds about 30 MB of live objects. With these it stays near 120 MB at the same throughput.
 */
export const SERVICE_NODE_FLAGS: string[] = ['--max-semi-space-size=4', '--max-old-space-size=96'];
