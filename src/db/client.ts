// The knex handle's types and which database it speaks to. Kept apart from knex.ts because the audit
// log (db/audit.ts) needs them while inTransaction (knex.ts) needs the audit log's batch hooks: both
// import this instead of each other.
import type { Knex } from 'knex';

export type Db = Knex;
export type Tx = Knex.Transaction;

export function isSqlite(db: Knex): boolean {
  return db.client.config.client === 'better-sqlite3';
}
