import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrations } from '../../migrations/index.ts';
import { beginAuditBatch, flushAuditBatch } from './audit.ts';
import { isSqlite, type Tx } from './client.ts';

export { isSqlite, type Db, type Tx } from './client.ts';

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/**
 * knex prepares every statement again each time it runs (a third of a submission's database time
 * went to compiling SQL); the same few hundred texts come back all the time, so the connection keeps
 * them. better-sqlite3 statements are reusable, and SQLite re-prepares one whose schema changed.
 */
function cachePreparedStatements(conn: SqliteConnection, max = 500): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/** One knex instance for `sqlite:<file>` (the embedded default) or `postgres://…`. */
export function createDb(databaseUrl: string): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    const db = knexFactory({
      // Synchronous: a statement costs microseconds on the calling thread instead of a thread-pool
      // round trip, and a transaction no longer waits for an event-loop turn between its statements
      // while it holds SQLite's single write lock (node-sqlite3 took about three times as long).
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      // One connection per process: SQLite has one writer anyway, and a single connection means a
      // transaction never waits on another connection of the same process.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          try {
            for (const p of ['foreign_keys = ON', 'journal_mode = WAL', 'busy_timeout = 10000', 'synchronous = NORMAL', `wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`]) conn.pragma(p);
            cachePreparedStatements(conn);
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
    return filename === ':memory:' ? db : checkpointEverySecond(db);
  }
  return knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 10 } });
}

/**
 * SQLite copies the write-ahead log back into the database (a checkpoint, with an fsync) by default
 * from whichever commit takes the log past 1,000 pages: at a few hundred state changes a second that
 * was every few dozen commits, and it doubled the average COMMIT (measured: 160 → 75 µs for a
 * five-row transaction). Each process instead checkpoints once a second off the request path, in
 * PASSIVE mode (it never waits for readers or writers, and never for the other process's
 * checkpoint); the automatic checkpoint stays as a bound on the log (40 MB) should the timers stop.
 */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

function checkpointEverySecond(db: Knex): Knex {
  const timer = setInterval(() => {
    // A destroyed knex has no pool: the timer ends with it.
    if (!(db.client as { pool?: unknown }).pool) return clearInterval(timer);
    db.raw('PRAGMA wal_checkpoint(PASSIVE)').catch(() => undefined);
  }, 1000);
  timer.unref();
  return db;
}

const byName = new Map(migrations);

/** The migrations come from migrations/index.ts, not the folder: the bundle in dist/ has no folder. */
export function migrationConfig(): Knex.MigratorConfig {
  return {
    migrationSource: {
      getMigrations: async () => migrations.map(([name]) => name),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => byName.get(name)!,
    },
  };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
  return applied;
}

/** How long a write waits for SQLite's write lock, held by another process, before it fails. */
const SQLITE_LOCK_WAIT_MS = 10_000;

/**
 * A write on SQLite, in a transaction that waits for the database's single write lock between
 * event-loop turns. The driver is synchronous, so SQLite's own busy handler would block the whole
 * process in sleeps of up to 100 ms while another process writes (the web answered nothing
 * meanwhile, the worker renewed no job lock). Here the transaction runs with no busy timeout:
 * SQLITE_BUSY can only come from its first write, before anything was written, so it is rolled
 * back and tried again a moment later. `fn` must not act outside the database before that write.
 */
async function sqliteWrite<T>(db: Knex, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        await trx.raw('PRAGMA busy_timeout = 0');
        try {
          return await fn(trx);
        } finally {
          await trx.raw(`PRAGMA busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
        }
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      // Short and jittered at first (a write transaction holds the lock about a millisecond),
      // longer while the other process keeps it.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1 + attempt, 20) * (0.5 + Math.random())));
    }
  }
}

/** A write outside the audited state changes (sessions): on SQLite it waits for the lock like them. */
export function writeOutsideAudit<T>(db: Knex, fn: (q: Knex | Tx) => Promise<T>): Promise<T> {
  return isSqlite(db) ? sqliteWrite(db, fn) : fn(db);
}

/**
 * Every state change runs here. The first statement locks the audit head row (and reads it), so
 * writers queue up instead of failing: on SQLite a transaction that reads before it writes can hit
 * SQLITE_BUSY when another process committed in between, and on PostgreSQL the row lock keeps the
 * audit chain linear. The transaction's audit events are written, chained, when `fn` is done.
 */
export async function inTransaction<T>(db: Knex, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const body = async (trx: Tx) => {
    const [head] = await trx('audit_head').where({ id: 1 }).update({ locked_at: new Date().toISOString() }, ['seq', 'hash']);
    beginAuditBatch(trx, head as { seq: number; hash: string });
    const result = await fn(trx);
    await flushAuditBatch(trx);
    return result;
  };
  return isSqlite(db) ? sqliteWrite(db, body) : db.transaction(body);
}

export const now = (): string => new Date().toISOString();
