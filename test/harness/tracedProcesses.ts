// `passerelle web` and `passerelle worker` as child processes logging at a chosen level (processes.ts
// runs them at info), with everything they print kept, for tests that read the logs.
import { spawnPasserelle, waitForOutput, type Proc } from './processes.ts';

export function spawnAtLevel(command: string, env: Record<string, string>, level: string): Proc {
  return spawnPasserelle([command], env, level);
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
