// `passerelle web` and `passerelle worker` as child processes logging at a chosen level (processes.ts
// runs them at info), with everything they print kept, for tests that read the logs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForOutput, type Proc } from './processes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function spawnAtLevel(command: string, env: Record<string, string>, level: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), command], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: level },
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

/** Starts `command` at `level` and waits for its "started" line. */
export async function startAtLevel(command: 'web' | 'worker', env: Record<string, string>, level: string): Promise<Proc> {
  const p = spawnAtLevel(command, env, level);
  try {
    await waitForOutput(p, command === 'web' ? 'web process listening' : 'worker started');
  } catch (err) {
    await p.kill('SIGKILL');
    throw err;
  }
  return p;
}
