// Starts a ceiling server (bench/ceilings/*.ts) as its own process, like the web process it is
// compared with (and with the same Node flags), and gives its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFlagsFor } from '../../src/nodeFlags.ts';
import { cpuMsOf } from './stack.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startCeiling(file: string, env: Record<string, string>): Promise<{ url: string; cpu(): number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlagsFor('web'), '--import', 'tsx', path.join(root, 'bench/ceilings', file)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpu: () => cpuMsOf(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
