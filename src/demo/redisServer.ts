/**
 * Runs a real redis-server as a child process, for the demo and for tests
 * that need to see what happens when Redis goes away and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** Graceful shutdown (SIGTERM); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Abrupt termination (default SIGKILL), to simulate a crash; resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (stopping it first if it is still running). */
  restart(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const NOT_INSTALLED =
  'redis-server was not found on PATH. Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; ' +
  'macOS: brew install redis) or set REDIS_URL to a running Redis.';

export async function startRedisServer(
  opts: { port?: number; dir?: string | null; extraArgs?: string[]; ownProcessGroup?: boolean } = {},
): Promise<RedisServer> {
  // redis-server reads `--port 0` as "no TCP listener", so pick a port ourselves.
  const port = opts.port || (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const persistentDir = opts.dir ?? null;

  // Without a dir, Redis would still use its cwd for dump.rdb: it could load a
  // stray file from there, or leave one behind after BGSAVE. A private empty
  // directory, removed on stop(), really keeps nothing.
  let scratchDir: string | null = null;
  const dataDir = () => {
    if (persistentDir) {
      mkdirSync(persistentDir, { recursive: true });
      return persistentDir;
    }
    scratchDir ??= mkdtempSync(join(tmpdir(), 'passerelle-redis-'));
    return scratchDir;
  };
  const removeScratch = () => {
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
    scratchDir = null;
  };

  let child: ChildProcess | null = null;
  // Synchronous by necessity: 'exit' listeners cannot await.
  const onParentExit = () => {
    child?.kill('SIGKILL');
    removeScratch();
  };

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', '--dir', dataDir()];
    args.push(...(persistentDir ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no']));
    args.push(...(opts.extraArgs ?? []));

    // ownProcessGroup: signals sent to the caller's process group (a terminal's Ctrl+C) do not reach it.
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false });
    // Known at once, not once it answers: the 'exit' hook must take it down even if we leave while it starts.
    child = proc;
    let output = '';
    const collect = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    // Unreferenced so that a forgotten server does not keep the parent alive;
    // the 'exit' hook then takes it down with us.
    proc.unref();
    (proc.stdout as unknown as { unref(): void }).unref();
    (proc.stderr as unknown as { unref(): void }).unref();

    const exited = new Promise<string>((resolve) => {
      proc.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? NOT_INSTALLED : `redis-server could not be started: ${err.message}`));
      proc.once('exit', (code, signal) => resolve(`redis-server exited during startup (${signal ?? `code ${code}`}).\n${output.trim()}`));
    });

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let failure: string | null = null;
    void exited.then((message) => { failure = message; });
    while (!failure) {
      if (await isRedisReachable(url, 500)) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on ${url} within ${STARTUP_TIMEOUT_MS} ms.\n${output.trim()}`);
      }
      await Promise.race([exited, delay(100)]);
    }
    throw new Error(failure);
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    // A stuck shutdown (e.g. a slow AOF fsync) must not hang the caller forever.
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  };

  process.on('exit', onParentExit);
  try {
    await launch();
  } catch (err) {
    process.off('exit', onParentExit);
    removeScratch();
    throw err;
  }

  return {
    url,
    port,
    // SIGTERM is redis' graceful shutdown; with nothing configured to save it
    // is the same as SHUTDOWN NOSAVE, with AOF on it flushes the log first.
    async stop() {
      await terminate('SIGTERM');
      removeScratch();
      process.off('exit', onParentExit);
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      await terminate(signal);
    },
    async restart() {
      await terminate('SIGTERM');
      // stop() removed the hook; off-then-on re-adds it without duplicating it.
      process.off('exit', onParentExit);
      process.on('exit', onParentExit);
      await launch();
    },
  };
}

/** Raw-socket PING with a deadline. Never throws: anything but +PONG is "unreachable". */
export function isRedisReachable(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(false);
    }
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(target.port) || 6379 });
    let reply = '';
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      // A password-protected Redis answers -NOAUTH: reachable, but not usable as configured.
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
