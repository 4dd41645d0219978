// The `passerelle` command: web, worker, migrate, admin grant, audit verify, demo.
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createDb, migrateLatest } from './db/knex.ts';
import { createLogger } from './log.ts';
// The web server and the worker are loaded only by the commands that run them, so short commands
// (audit verify, api-client, migrate) start in a fraction of the time.
import type { Deps } from './deps.ts';
import { listApiClients } from './db/apiClients.ts';
import { createApiClient, revokeApiClient } from './commands/apiClients.ts';
import { grantAdmin } from './commands/admin/grantAdmin.ts';
import { apiClientForm } from './web/forms/apiClient.ts';
import { ALL_SCOPES } from './domain/scopes.ts';
import { AppError } from './domain/errors.ts';
import { t } from './i18n/t.ts';
import { moveDemoClock, parseClockMove } from './commands/moveDemoClock.ts';
import { readDemoClockOffset } from './db/demoClock.ts';

const USAGE = `Usage: passerelle <command>

  web                    start the web process
  worker                 start the background worker (outbox relay and jobs)
  migrate                apply database migrations
  admin grant <email>    make a member of our organization an administrator
  api-client create --name NAME --scopes SCOPE[,SCOPE...]
                         create an API client; its bearer token is printed once, as the last line
  api-client list        API clients, their scopes and last use
  api-client revoke <id> revoke an API client's token
  app-client create --item NAME --redirect-uri URI [--redirect-uri URI...] [--post-logout-uri URI...]
      [--backchannel-logout-uri URI] [--initiate-login-uri URI] [--public] [--claims CLAIM[,CLAIM...]]
      [--groups "GROUP[,GROUP...]"] [--no-assignment-required] [--allow-members]
                         give a catalog application its OpenID Connect sign-in; prints the client id
                         and then the secret as the last two lines (a public client: the id, last)
  app-client rotate-secret --item NAME
                         a new client secret for the application, printed once as the last line
  app-client list        applications with sign-in settings: client id, type, redirect URIs
  audit verify [--checkpoints FILE]... [--public-key PEM_FILE]...
                         check the audit log's hash chain and that it still leads to every signed
                         checkpoint (the database's, and each FILE's); exit 1 names the first failure
  audit public-key       print the public key of AUDIT_SIGNING_KEY, to keep away from the servers
  audit new-key          print a new AUDIT_SIGNING_KEY (Ed25519 seed, base64)
  keys rotate            a new signing key for the applications' OpenID Provider; the previous
                         ones stay published until every token they signed has expired
  keys list              the signing keys still published, and which one signs
  demo                   run everything locally with demo identity providers and a mail catcher
  clock [forward 15d|36h|90m | reset]
                         the demo's clock (never in production): moves it forward for the web and the
                         worker, which act within seconds on what became due (reminders, expiries…)
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
  if (command === 'partner-wiki') {
    // Not in USAGE: the demo's sample application, started by `demo` as a process of its own.
    const { runPartnerWiki } = await import('./demo/partnerWikiProcess.ts');
    await runPartnerWiki();
    return -1;
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
      const { checkRedisPolicy } = await import('./queue/redisCheck.ts');
      const { startWeb } = await import('./web/server.ts');
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
      const { checkRedisPolicy } = await import('./queue/redisCheck.ts');
      const { startWorker } = await import('./queue/worker.ts');
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
      await grantAdmin(deps, CLI_CONTEXT, email);
      console.log(`${email} is an administrator. They sign in with our organization's identity provider.`);
      await db.destroy();
      return 0;
    }
    case 'api-client': {
      const code = await apiClientCommand(deps, rest);
      await db.destroy();
      return code;
    }
    case 'app-client': {
      const { appClientCommand } = await import('./appClientCommand.ts');
      const code = await appClientCommand(deps, CLI_CONTEXT, rest);
      await db.destroy();
      return code;
    }
    case 'keys': {
      const { keysCommand } = await import('./oidc/command.ts');
      const code = await keysCommand(deps, CLI_CONTEXT, rest);
      await db.destroy();
      return code;
    }
    case 'clock': {
      const code = await clockCommand(deps, rest);
      await db.destroy();
      return code;
    }
    case 'audit': {
      const { auditCommand } = await import('./audit/command.ts');
      const code = await auditCommand(config, db, rest);
      await db.destroy();
      return code;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

const CLI_CONTEXT = { actor: { type: 'system' as const, id: 'system:cli', label: null }, ip: null, correlationId: 'cli' };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function apiClientCommand(deps: Deps, args: string[]): Promise<number> {
  const [sub, ...opts] = args;
  if (sub === 'create') {
    const name = option(opts, 'name');
    const scopes = option(opts, 'scopes');
    if (!name || !scopes) {
      console.error(`Usage: passerelle api-client create --name NAME --scopes SCOPE[,SCOPE...]\nScopes: ${ALL_SCOPES.join(', ')}`);
      return 2;
    }
    const form = apiClientForm({ name, scopes });
    if (!form.value) {
      for (const [field, key] of Object.entries(form.fields)) console.error(`${field}: ${t(key)}`);
      console.error(`Scopes: ${ALL_SCOPES.join(', ')}`);
      return 2;
    }
    const { id, token } = await createApiClient(deps, CLI_CONTEXT, form.value, null);
    console.log(`API client ${id} "${name}" created with ${form.value.scopes.join(', ')}.`);
    console.log('Its bearer token follows; it is shown only this once.');
    console.log(token);
    return 0;
  }
  if (sub === 'list') {
    for (const c of await listApiClients(deps.db)) {
      console.log([c.id, c.name, c.token_prefix + '…', c.scopes.join(','), c.last_used_at ?? 'never used', c.revoked_at ? `revoked ${c.revoked_at}` : 'active'].join('\t'));
    }
    return 0;
  }
  if (sub === 'revoke' && /^[1-9]\d{0,9}$/.test(opts[0] ?? '')) {
    try {
      await revokeApiClient(deps, CLI_CONTEXT, Number(opts[0]));
    } catch (err) {
      if (err instanceof AppError) {
        console.error(t(err.message));
        return 1;
      }
      throw err;
    }
    console.log(`API client ${opts[0]} revoked.`);
    return 0;
  }
  console.error('Usage: passerelle api-client create --name NAME --scopes SCOPE[,SCOPE...] | list | revoke <id>');
  return 2;
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

async function clockCommand(deps: Deps, args: string[]): Promise<number> {
  const say = (ms: number) => {
    const days = Math.round((ms / 86_400_000) * 10) / 10;
    console.log(`The demo clock reads ${new Date(Date.now() + deps.config.clockOffsetMs + ms).toISOString().slice(0, 16).replace('T', ' ')} UTC (${days} day(s) ahead).`);
  };
  if (deps.config.env === 'production') {
    console.error('The clock is moved only in the demo and tests, never in production.');
    return 2;
  }
  if (args.length === 0) {
    say((await readDemoClockOffset(deps.db)) ?? 0);
    return 0;
  }
  const move = args[0] === 'forward' && args[1] ? parseClockMove(args[1]) : args[0] === 'reset' ? null : undefined;
  if (move === undefined) {
    console.error('Usage: passerelle clock [forward 15d|36h|90m | reset]');
    return 2;
  }
  say(await moveDemoClock(deps, CLI_CONTEXT, move));
  console.log('The running web and worker follow it within a second, and the worker acts at once on what became due.');
  return 0;
}
