// `npm start`: the whole product on one machine with embedded defaults. Web and worker run as
// separate processes, exactly as in production; the demo parts run in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, processEnvironment } from '../config.ts';
import { createDb, migrateLatest } from '../db/knex.ts';
import { startDemoIssuer, type RunningIssuer } from './idp.ts';
import { startMailCatcher } from './mailCatcher.ts';
import { isRedisReachable, startRedisServer, type RedisServer } from './redisServer.ts';
import { seedDemo } from './seed.ts';
import { seedTwoStageDemo } from './twoStage.ts';
import { DEMO_ORGS, DEMO_PASSWORD, issuerSpecs } from './world.ts';
import { projectRoot } from '../paths.ts';
import { nodeFlagsFor } from '../nodeFlags.ts';
import { newSigningKey, parseSigningKey, publicKeyPem } from '../domain/auditCheckpoint.ts';
import { OIDC_PATH } from '../oidc/provider.ts';
import { registerPartnerWiki } from './partnerWikiClient.ts';
import { partnerWikiAddress } from './partnerWikiProcess.ts';
import { describeChildExit } from './childExit.ts';

const IDP_BASE_PORT = 4101;
const MAIL_SMTP_PORT = 2525;
const MAIL_HTTP_PORT = 4180;

/**
 * The demo's audit signing key, made once and kept in var/ next to the database it signs for: a new
 * key at every start would leave the previous runs' checkpoints unverifiable. Its public half is
 * written beside it for `passerelle audit verify --public-key`.
 */
function demoSigningKey(): { key: string; keyFile: string; publicKeyFile: string } {
  const keyFile = path.join(projectRoot, 'var', 'audit-signing-key');
  const publicKeyFile = path.join(projectRoot, 'var', 'audit-public-key.pem');
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, `${newSigningKey()}\n`, { mode: 0o600, flag: 'wx' });
  const key = fs.readFileSync(keyFile, 'utf8').trim();
  fs.writeFileSync(publicKeyFile, publicKeyPem(parseSigningKey(key)));
  return { key, keyFile, publicKeyFile };
}

export async function runDemo(env: Record<string, string | undefined> = processEnvironment()): Promise<void> {
  const config = loadConfig({ ...env, NODE_ENV: env.NODE_ENV ?? 'development' });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  let stopping = false;
  let exitCode = 0;
  let started = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log('\nStopping the demo…');
      // Still starting: leave at once; the exit hooks end the Redis it may have started, and the
      // processes it spawned had the terminal's signal too.
      if (!started) process.exit(130);
      void stopAll().then(() => process.exit(exitCode));
    });
  }

  try {
    let redisUrl = config.redisUrl;
    if (!(await isRedisReachable(redisUrl))) {
      if (env.REDIS_URL) throw new Error(`REDIS_URL=${env.REDIS_URL} does not answer.`);
      // In a process group of its own: the terminal's Ctrl+C must not end Redis under the worker, whose
      // close (Bull handing its jobs back) needs it; the demo stops it after the processes that use it.
      const redis: RedisServer = await startRedisServer({ dir: path.join(projectRoot, 'var', 'redis'), ownProcessGroup: true });
      stops.push(() => redis.stop());
      redisUrl = redis.url;
      console.log(`Started redis-server on ${redis.url} (data in var/redis).`);
    }

    const issuers: RunningIssuer[] = [];
    for (const [i, spec] of issuerSpecs(config.publicUrl).entries()) {
      const issuer = await startDemoIssuer(spec, { port: IDP_BASE_PORT + i });
      stops.push(() => issuer.close());
      issuers.push(issuer);
    }
    const mail = await startMailCatcher({ smtpPort: MAIL_SMTP_PORT, httpPort: MAIL_HTTP_PORT });
    stops.push(() => mail.close());

    const db = createDb(config.databaseUrl);
    await migrateLatest(db);
    await seedDemo(db, Object.fromEntries(issuers.map((i) => [i.key, i.issuer])));
    // A two-stage item for the demo only (the sponsor, then its owner): tests build their own.
    await seedTwoStageDemo(db);
    // The sample app's sign-in is registered here, not in seedDemo: tests register their own clients.
    const wiki = partnerWikiAddress(env);
    const wikiClient = await registerPartnerWiki({ config, db }, wiki.url, path.join(projectRoot, 'var', 'partner-wiki-client.json'));
    await db.destroy();

    // Unless given, the worker signs audit checkpoints with a key kept in var/ and writes them there.
    const signing = env.AUDIT_SIGNING_KEY ? null : demoSigningKey();
    const checkpointFile = env.AUDIT_CHECKPOINT_FILE ?? path.join(projectRoot, 'var', 'audit-checkpoints.jsonl');
    const childEnv = {
      ...env,
      AUDIT_SIGNING_KEY: env.AUDIT_SIGNING_KEY ?? signing!.key,
      AUDIT_CHECKPOINT_FILE: checkpointFile,
      REDIS_URL: redisUrl,
      SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
      DATABASE_URL: config.databaseUrl,
      PUBLIC_URL: config.publicUrl,
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    };
    // The children run the same entry as this process (the bundle under `npm start`, the sources when
    // started through tsx), with the service processes' memory flags.
    const children: ChildProcess[] = ['web', 'worker'].map((cmd) =>
      spawn(process.execPath, [...process.execArgv, ...nodeFlagsFor(cmd), process.argv[1]!, cmd], { env: childEnv, stdio: 'inherit', cwd: projectRoot }),
    );
    // Partner Wiki, an application of the catalog, runs apart from Passerelle and knows only its client.
    if (wikiClient) {
      const wikiEnv = {
        ...env,
        PARTNER_WIKI_PORT: String(wiki.port),
        PARTNER_WIKI_ISSUER: `${config.publicUrl}${OIDC_PATH}`,
        PARTNER_WIKI_CLIENT_ID: wikiClient.clientId,
        PARTNER_WIKI_CLIENT_SECRET: wikiClient.secret ?? '',
      };
      children.push(spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'partner-wiki'], { env: wikiEnv, stdio: 'inherit', cwd: projectRoot }));
    }
    stops.push(async () => {
      await Promise.all(
        // A child already ended by a signal has no exit code but its signalCode: waiting for its exit would hang.
        children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGTERM'))))),
      );
    });
    for (const c of children) {
      c.once('exit', (code, signal) => {
        const line = describeChildExit(c.spawnargs.at(-1)!, code, signal, stopping);
        if (line) console.error(line);
        if (stopping) {
          if (line) exitCode = 1;
          return;
        }
        stopping = true;
        void stopAll().then(() => process.exit(1));
      });
    }

    const lines = [
      '',
      `Passerelle is running: ${config.publicUrl}`,
      `Mail catcher (every e-mail the demo sends): ${mail.httpUrl}`,
      wikiClient
        ? `Partner Wiki (a sample application that signs in through Passerelle): ${wiki.url}` +
          ({ registered: ' (just registered; its client kept in var/partner-wiki-client.json)', rotated: ' (a new client secret, kept in var/partner-wiki-client.json)', kept: '' })[wikiClient.outcome]
        : 'Partner Wiki (the sample application) is not started: the catalog has no application named "Partner Wiki".',
      ...(wikiClient?.warnings ?? []).map((w) => `  Warning: ${w}`),
      `Signed audit checkpoints: ${path.relative(projectRoot, checkpointFile)}` +
        (signing ? ` (key ${path.relative(projectRoot, signing.keyFile)}; check the log with` : ''),
      ...(signing
        ? [`  npx passerelle audit verify --checkpoints ${path.relative(projectRoot, checkpointFile)} --public-key ${path.relative(projectRoot, signing.publicKeyFile)})`]
        : []),
      '',
      `Demo sign-ins (password for all: "${DEMO_PASSWORD}"):`,
      ...DEMO_ORGS.flatMap((org) => [
        `  ${org.displayName} (${org.kind === 'home' ? 'our organization' : 'partner'}, ${issuers.find((i) => i.key === org.key)!.issuer})`,
        ...org.accounts.map((a) => `    ${a.email.padEnd(30)} ${a.role}`),
      ]),
      '',
      'Try it: sign in as paula@acme.test, request Partner Wiki and Project Atlas; sign in as sam.sponsor@passerelle.test',
      '(another browser or a private window) and approve; open the invitation from the mail catcher as Paula. Then',
      'open Partner Wiki from My access as Paula: it shows her name and groups. gary@globex.test, who has no access,',
      'is refused there with a button to request it.',
      'Time passes with `npx passerelle clock forward 15d` (reminders, expiries, notices, reviews; `clock reset` puts it',
      'back): the README\'s "Access over time" says what to try. Ctrl+C stops everything.',
      '',
    ];
    console.log(lines.join('\n'));

    started = true;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
