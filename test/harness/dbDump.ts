// Every row of every table, on SQLite and PostgreSQL, and every value in it that could carry a
// secret: for tests that look for tokens, codes and secrets where they must not be.
import type { Db } from '../../src/db/knex.ts';
import { isPostgres } from './stack.ts';

export async function tableNames(db: Db): Promise<string[]> {
  const rows = isPostgres()
    ? await db.select('tablename as name').from('pg_tables').where('schemaname', db.raw('current_schema()'))
    : await db.select('name').from('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'sqlite_%');
  return rows.map((r: { name: string }) => r.name).sort();
}

export async function dumpDatabase(db: Db): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const table of await tableNames(db)) out[table] = await db(table).select('*');
  return out;
}

/**
 * Every string in a value (JSON inside strings too, percent-decoded forms of URLs), and every run in
 * those strings that looks like base64url, hex or base32 (our token, hash and code alphabets).
 */
export function stringsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (value === null || value === undefined || typeof value === 'boolean') return out;
  if (Buffer.isBuffer(value)) {
    stringsIn(value.toString('utf8'), out);
    stringsIn(value.toString('hex'), out);
    return out;
  }
  if (value instanceof Date) return stringsIn(value.toISOString(), out);
  if (typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) stringsIn(v, out);
    return out;
  }
  const s = String(value);
  if (out.has(s) || s === '') return out;
  out.add(s);
  if (/^\s*[[{"]/.test(s)) {
    try {
      stringsIn(JSON.parse(s), out);
    } catch {
      // not JSON after all
    }
  }
  try {
    const decoded = decodeURIComponent(s);
    if (decoded !== s) stringsIn(decoded, out);
  } catch {
    // not percent-encoded
  }
  for (const re of [/[A-Za-z0-9_-]{16,}/g, /[0-9a-fA-F]{16,}/g, /[A-Z2-7]{16,}/g, /[A-Z2-7]{5}(?:[- ][A-Z2-7]{5,6}){2,}/g]) {
    for (const m of s.matchAll(re)) out.add(m[0]);
  }
  return out;
}
