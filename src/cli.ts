// The `passerelle` command: web, worker, migrate, admin grant, audit verify, demo.
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createDb, migrateLatest, inTransaction } from './db/knex.ts';
import { appendAudit, verifyAuditChain } from './db/audit.ts';
import { findUserByEmail, insertUser } from './db/users.ts';
import { createLogger } from './log.ts';
import { startWeb } from './web/server.ts';
import { startWorker } from './queue/worker.ts';
import { checkRedisPolicy } from './queue/redisCheck.ts';

const USAGE = `Usage: passerelle <command>

  web                    start the web process
  worker                 start the background worker (outbox relay and jobs)
  migrate                apply database migrations
  admin grant <email>    make a member of our organization an administrator
  audit verify           check the audit log's hash chain (exit 1 names the first bad event)
  demo                   run everything locally with demo identity providers and a mail catcher
`;

function onStop(close: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'demo') {
    const { runDemo } = await import('./demo/run.ts');
    await runDemo();
    return -1; // keeps running
  }
  const config: Config = loadConfig();
  const log = createLogger(config.logLevel, `passerelle-${command}`);
  const db = createDb(config.databaseUrl);
  const deps = { config, db };

  switch (command) {
    case 'migrate': {
      const applied = await migrateLatest(db);
      console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
      await db.destroy();
      return 0;
    }
    case 'web': {
      await checkRedisPolicy(config.redisUrl);
      const web = await startWeb(deps, log);
      log.info({ url: web.url, publicUrl: config.publicUrl }, 'web process listening');
      onStop(async () => {
        await web.close();
        await db.destroy();
      });
      return -1;
    }
    case 'worker': {
      await checkRedisPolicy(config.redisUrl);
      const worker = await startWorker(deps, log);
      log.info('worker started');
      onStop(async () => {
        await worker.close();
        await db.destroy();
      });
      return -1;
    }
    case 'admin': {
      const email = rest[1]?.trim().toLowerCase();
      if (rest[0] !== 'grant' || !email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
        console.error('Usage: passerelle admin grant <email>');
        return 2;
      }
      await inTransaction(db, async (trx) => {
        const ctx = { actor: { type: 'system' as const, id: 'system:cli', label: null }, ip: null, correlationId: 'cli' };
        const existing = await findUserByEmail(trx, 'member', email);
        const id = existing?.id ?? (await insertUser(trx, { display_name: email.split('@')[0], email, user_type: 'member', state: 'active' }));
        await trx('users').where({ id }).update({ role: 'admin' });
        await appendAudit(trx, ctx, { action: 'admin.granted', target: `user:${id}`, details: { email, created: !existing } });
      });
      console.log(`${email} is an administrator. They sign in with our organization's identity provider.`);
      await db.destroy();
      return 0;
    }
    case 'audit': {
      if (rest[0] !== 'verify') {
        console.error('Usage: passerelle audit verify');
        return 2;
      }
      const result = await verifyAuditChain(db);
      await db.destroy();
      if (result.ok) {
        console.log(`Audit log intact: ${result.count} event(s) verified.`);
        return 0;
      }
      console.error(`Audit log broken at event ${result.badSeq}: ${result.reason}.`);
      return 1;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
