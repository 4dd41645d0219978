import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { beginAuditBatch, flushAuditBatch } from './audit.ts';

export type Db = Knex;
export type Tx = Knex.Transaction;

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function isSqlite(db: Knex): boolean {
  return db.client.config.client === 'better-sqlite3';
}

/** One knex instance for `sqlite:<file>` (the embedded default) or `postgres://…`. */
export function createDb(databaseUrl: string): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return knexFactory({
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
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          try {
            for (const p of ['foreign_keys = ON', 'journal_mode = WAL', 'busy_timeout = 10000', 'synchronous = NORMAL']) conn.pragma(p);
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
  }
  return knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 10 } });
}

export function migrationConfig(): Knex.MigratorConfig {
  return { directory: migrationsDir, loadExtensions: ['.ts'], extension: 'ts' };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
  return applied;
}

/**
 * Every state change runs here. The first statement locks the audit head row (and reads it), so
 * writers queue up instead of failing: on SQLite a transaction that reads before it writes can hit
 * SQLITE_BUSY when another process committed in between, and on PostgreSQL the row lock keeps the
 * audit chain linear. The transaction's audit events are written, chained, when `fn` is done.
 */
export async function inTransaction<T>(db: Knex, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    const [head] = await trx('audit_head').where({ id: 1 }).update({ locked_at: new Date().toISOString() }, ['seq', 'hash']);
    beginAuditBatch(trx, head as { seq: number; hash: string });
    const result = await fn(trx);
    await flushAuditBatch(trx);
    return result;
  });
}

export const now = (): string => new Date().toISOString();
