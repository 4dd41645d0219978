// A real oidc-provider issuer (the demo one) in a child process whose clock is wrong by a chosen
// number of seconds, changed while it runs. A separate process, because the skew is the IdP's
// machine's and must not touch the app's clock or the other issuers'.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DemoIssuerSpec } from '../../src/demo/idp.ts';
import type { SkewSettings } from './skewedIssuerProcess.ts';

export interface SkewedIssuer {
  issuer: string;
  port: number;
  /** Sets the IdP's clock offset and ID-token lifetime; resolves with the IdP's time (ms) once applied. */
  configure(settings: SkewSettings): Promise<number>;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./skewedIssuerProcess.ts', import.meta.url));

function nextMessage<T>(child: ChildProcess, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`skewed issuer: no ${what} after ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: T) => {
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => fail(new Error(`skewed issuer exited (${code}) before ${what}`));
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startSkewedIssuer(spec: DemoIssuerSpec): Promise<SkewedIssuer> {
  const child = fork(entry, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, SKEWED_ISSUER_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: { issuer: string; port: number };
  try {
    ready = await nextMessage(child, 'start');
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    issuer: ready.issuer,
    port: ready.port,
    async configure(settings) {
      const answer = nextMessage<{ applied: SkewSettings; now: number }>(child, 'acknowledgement');
      child.send(settings);
      return (await answer).now;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill(), 3000).unref();
      }),
  };
}
