// Runs `passerelle web` and `passerelle worker` as real child processes, so fault tests can SIGKILL,
// SIGTERM and restart them.
import { spawn, type ChildProcess } from 'node:child_process';
import { build } from '../../scripts/build.mjs';
import { nodeFlagsFor } from '../../src/nodeFlags.ts';
import { projectRoot } from '../../src/paths.ts';


export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

// Child processes run the bundle, as `npm start` and production do (the tests' own process runs the
// sources through tsx); it is built once per test file, from the sources as they are now.
let bundle: string | undefined;

export function spawnPasserelle(command: string[], env: Record<string, string>, logLevel = 'info'): Proc {
  bundle ??= build();
  const child = spawn(process.execPath, [...nodeFlagsFor(command[0]), bundle, ...command], {
    cwd: projectRoot,
    env: { ...process.env, ...env, LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  void exited.then(() => process.removeListener('exit', onExit));
  return {
    child,
    output: () => out,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until the process has printed `marker` (a log message), or fails with what it printed. */
export async function waitForOutput(p: Proc, marker: string | RegExp, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const test = (s: string) => (typeof marker === 'string' ? s.includes(marker) : marker.test(s));
  while (!test(p.output())) {
    if (p.child.exitCode !== null) throw new Error(`process exited early:\n${p.output()}`);
    if (Date.now() > until) throw new Error(`timed out waiting for "${marker}":\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startAndWait(command: string, env: Record<string, string>, marker: string): Promise<Proc> {
  const p = spawnPasserelle([command], env);
  try {
    await waitForOutput(p, marker);
  } catch (err) {
    await p.kill('SIGKILL');
    throw err;
  }
  return p;
}

export const startWebProcess = (env: Record<string, string>) => startAndWait('web', env, 'web process listening');
export const startWorkerProcess = (env: Record<string, string>) => startAndWait('worker', env, 'worker started');
