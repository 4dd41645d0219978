// A sign-in code's whole life: issued, minted when its mail leaves, checked, consumed once or retired.
// Usable means not consumed and unexpired, asked in the statement itself as for invitations. The
// counts that limit codes are read from the audit log, written in the same transactions.
import type { Knex } from 'knex';
import { newCode } from '../domain/tokens.ts';
import type { Db, Tx } from './knex.ts';

const usable = <Q extends Knex.QueryBuilder>(q: Q, now: string): Q => q.whereNull('consumed_at').where('expires_at', '>', now) as Q;

/** A new code for an address, with a placeholder hash nobody holds the code for (see mintOneTimeCode). */
export async function insertOneTimeCode(trx: Tx, email: string, expiresAt: Date): Promise<number> {
  const [row] = await trx('one_time_codes')
    .insert({ email: email.toLowerCase(), code_hash: newCode().hash, expires_at: expiresAt.toISOString(), created_at: new Date().toISOString() })
    .returning('id');
  return Number((row as { id: number }).id);
}

/** Called by the mail job right before sending: mints the code, stores its hash, returns it (null once unusable). */
export async function mintOneTimeCode(q: Db | Tx, id: number): Promise<string | null> {
  const { code, hash } = newCode();
  const n = await usable(q('one_time_codes').where({ id }), new Date().toISOString()).update({ code_hash: hash });
  return Number(n) === 1 ? code : null;
}

export async function findUsableCode(db: Db | Tx, email: string, codeHash: string): Promise<{ id: number; created_at: string } | undefined> {
  return usable(db('one_time_codes').where({ email: email.toLowerCase(), code_hash: codeHash }), new Date().toISOString()).first('id', 'created_at');
}

/** Conditional: of two posts of the same code, one consumes it. */
export async function consumeOneTimeCode(trx: Tx, id: number): Promise<boolean> {
  const n = await trx('one_time_codes').where({ id }).whereNull('consumed_at').update({ consumed_at: new Date().toISOString() });
  return Number(n) === 1;
}

/** Ends a code's life now, unconsumed: the right code typed later no longer signs in. */
export async function retireOneTimeCode(trx: Tx, id: number): Promise<void> {
  await trx('one_time_codes').where({ id }).update({ expires_at: new Date().toISOString() });
}

/** Codes made for an address since `since`, from all clients together. */
export async function codesMadeSince(db: Db | Tx, email: string, since: string): Promise<number> {
  const recent = await db('one_time_codes').where({ email: email.toLowerCase() }).where('created_at', '>', since).count({ n: '*' }).first();
  return Number(recent?.n ?? 0);
}

/**
 * Codes this client address asked for this e-mail address since `since`, up to `budget`: read from the
 * audit log, which records each request in the transaction that makes the code, so the count holds
 * across web processes and nobody can reset it.
 */
export async function codesAskedFromClient(db: Db | Tx, email: string, ip: string | null, since: string, budget: number): Promise<number> {
  return countAuditEvents(db, { target: `email:${email.toLowerCase()}`, action: 'auth.code_requested', outcome: 'success', ip }, since, budget);
}

/** Wrong codes typed for one address since `since` (a code's creation), up to `budget`; the audit log is the counter. */
export async function wrongCodesSince(db: Db | Tx, email: string, since: string, budget: number): Promise<number> {
  return countAuditEvents(db, { target: `email:${email.toLowerCase()}`, action: 'auth.code_used', outcome: 'failure' }, since, budget);
}

/** Counting stops at `budget`: no more rows are read than the limit needs. */
async function countAuditEvents(db: Db | Tx, where: Record<string, string | null>, since: string, budget: number): Promise<number> {
  const rows = await db('audit_events').where(where).where('at', '>', since).orderBy('seq', 'desc').limit(budget).select('seq');
  return rows.length;
}
