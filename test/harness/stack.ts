// Starts, per test file, the real parts: redis-server on a free port, one oidc-provider issuer per
// organization, an SMTP catcher, a fresh database (SQLite file, or a new PostgreSQL database when
// TEST_DATABASE_URL points at a server), then the web app and the worker (in this process, or left
// to the test to start as child processes); stop() undoes it all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDb, migrateLatest, type Db } from '../../src/db/knex.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { startMailCatcher, type MailCatcher } from '../../src/demo/mailCatcher.ts';
import { startRedisServer, type RedisServer } from '../../src/demo/redisServer.ts';
import { createServer, type Server } from 'node:net';
import { seedDemo } from '../../src/demo/seed.ts';
import { issuerSpecs } from '../../src/demo/world.ts';
import { startWeb, type WebHandle } from '../../src/web/server.ts';
import { startWorker, type WorkerHandle } from '../../src/queue/worker.ts';
import { createLogger } from '../../src/log.ts';
import { newSigningKey } from '../../src/domain/auditCheckpoint.ts';

export interface Stack {
  config: Config;
  /** The environment the in-process parts were configured from; child processes get the same. */
  env: Record<string, string>;
  db: Db;
  appUrl: string;
  redis: RedisServer;
  mail: MailCatcher;
  issuers: Record<string, RunningIssuer>;
  web: WebHandle;
  worker: WorkerHandle;
  stop(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** false: no web app in this process (a test starts `passerelle web` itself on appUrl's port). */
  web?: boolean;
  /** false: no worker in this process. */
  worker?: boolean;
  /** Where mail goes (default: the catcher); a fault test puts a proxy in between. */
  smtpPort?: (catcherPort: number) => Promise<number>;
  redisArgs?: string[];
}

export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const name = `passerelle_test_${randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: server });
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const url = new URL(server);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const a = knexFactory({ client: 'pg', connection: server });
        await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-test-'));
  return { url: `sqlite:${path.join(dir, 'test.sqlite')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const isPostgres = () => Boolean(process.env.TEST_DATABASE_URL);

/**
 * Says on stderr, every 30 s, which step of starting or stopping the stack is still running: a test
 * file that hangs there (seen twice on PostgreSQL in full runs, never alone) then names the step in
 * CI's output instead of only timing out.
 */
function watchdog(what: string): { step(name: string): void; done(): void } {
  let current = 'starting';
  const since = Date.now();
  const timer = setInterval(() => console.error(`harness: ${what} still at "${current}" after ${Math.round((Date.now() - since) / 1000)} s`), 30_000);
  timer.unref();
  return { step: (name) => void (current = name), done: () => clearInterval(timer) };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stops: { name: string; run: () => Promise<void> }[] = [];
  const stop = async () => {
    const dog = watchdog('stop');
    for (const s of stops.reverse()) {
      dog.step(s.name);
      await s.run().catch((err) => console.error('harness stop:', err));
    }
    dog.done();
  };
  const dog = watchdog('start');
  try {
    dog.step('redis');
    const redis = await startRedisServer({ dir: null, extraArgs: options.redisArgs });
    stops.push({ name: 'redis', run: () => redis.stop() });
    dog.step('issuers');
    // The app's port is named in PUBLIC_URL (and so in the issuers' redirect URIs) long before the web
    // listens on it: held by a listener until then, so that no connection made meanwhile (to
    // PostgreSQL, Redis, an issuer) is given it as its local port.
    const held = await holdPort();
    stops.push({ name: 'held port', run: () => held.release() });
    const appPort = held.port;
    const publicUrl = `http://127.0.0.1:${appPort}`;
    const issuers: Record<string, RunningIssuer> = {};
    for (const spec of issuerSpecs(publicUrl)) {
      const issuer = await startDemoIssuer(spec);
      stops.push({ name: `issuer ${spec.key}`, run: () => issuer.close() });
      issuers[spec.key] = issuer;
    }
    dog.step('mail catcher');
    const mail = await startMailCatcher({ httpPort: null });
    stops.push({ name: 'mail catcher', run: () => mail.close() });
    const smtpPort = options.smtpPort ? await options.smtpPort(mail.smtpPort) : mail.smtpPort;
    dog.step('database');
    const database = await freshDatabaseUrl();
    stops.push({ name: 'drop database', run: database.drop });

    const env: Record<string, string> = {
      NODE_ENV: 'test',
      PUBLIC_URL: publicUrl,
      PORT: String(appPort),
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'ptest',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_TIMEOUT_MS: '3000',
      OUTBOX_POLL_MS: '50',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '200',
      RATE_LIMIT_SIGNIN_PER_MINUTE: '1000',
      RATE_LIMIT_SUBMIT_PER_MINUTE: '1000',
      RATE_LIMIT_REDEEM_PER_MINUTE: '1000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // The worker signs audit checkpoints with it, as in production.
      AUDIT_SIGNING_KEY: newSigningKey(),
      ...options.env,
    };
    const config = loadConfig(env);
    const db = createDb(config.databaseUrl);
    stops.push({ name: 'database pool', run: () => db.destroy() });
    dog.step('migrations');
    await migrateLatest(db);
    dog.step('seed');
    await seedDemo(db, Object.fromEntries(Object.entries(issuers).map(([k, v]) => [k, v.issuer])));

    const log = createLogger(config.logLevel, 'test');
    let web = null as unknown as WebHandle;
    if (options.web !== false) {
      dog.step('web');
      await held.release();
      web = await startWeb({ config, db }, log);
      stops.push({ name: 'web', run: () => web.close() });
    }
    let worker = null as unknown as WorkerHandle;
    if (options.worker !== false) {
      dog.step('worker');
      worker = await startWorker({ config, db }, log);
      stops.push({ name: 'worker', run: () => worker.close() });
    }
    // A test that starts `passerelle web` itself listens on the port next.
    await held.release();
    dog.done();
    return { config, env, db, appUrl: publicUrl, redis, mail, issuers, web, worker, stop };
  } catch (err) {
    dog.done();
    await stop();
    throw err;
  }
}

/** Polls until `check` returns a value, or fails with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port on 127.0.0.1 kept listening (so nobody else is given it) until released; release is idempotent. */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let released: Promise<void> | null = null;
  return {
    port,
    release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
