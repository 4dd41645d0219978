// express-session's rows. They are not state changes of the product: no audit event, and every
// write goes through writeOutsideAudit, so on SQLite it waits for the write lock between event-loop
// turns like the audited transactions do instead of blocking the process in SQLite's busy handler.
// Every web request reads here: one statement per call, nothing more.
import { writeOutsideAudit, type Db } from './knex.ts';

export interface SessionRow {
  /** The session as express-session serialized it (JSON). */
  sess: string;
  /** ISO time after which the row is worthless: the idle expiry, pushed forward by activity. */
  expires_at: string;
}

export function getSession(db: Db, sid: string): Promise<SessionRow | undefined> {
  return db('sessions').where({ sid }).first('sess', 'expires_at');
}

/** The stored expiry alone: what a touch needs to decide whether to write. */
export async function sessionExpiry(db: Db, sid: string): Promise<string | undefined> {
  const row: { expires_at: string } | undefined = await db('sessions').where({ sid }).first('expires_at');
  return row?.expires_at;
}

export async function setSession(db: Db, sid: string, row: SessionRow): Promise<void> {
  await writeOutsideAudit(db, (q) => q('sessions').insert({ sid, ...row }).onConflict('sid').merge(['sess', 'expires_at']));
}

export async function touchSession(db: Db, sid: string, expiresAt: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('sessions').where({ sid }).update({ expires_at: expiresAt }));
}

export async function destroySession(db: Db, sid: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('sessions').where({ sid }).delete());
}

/** Deletes the rows whose expiry is before `at`. */
export async function pruneSessions(db: Db, at: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('sessions').where('expires_at', '<', at).delete());
}
