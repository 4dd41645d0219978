// What a browser holds of its session, and the row the app keeps for it, so tests can check (and
// age) the server side of a session the way time would.
import type { Db } from '../../src/db/knex.ts';
import type { Browser } from './browser.ts';

export const SESSION_COOKIE = 'passerelle.sid';

interface Jar {
  getCookie(name: string, access: { domain: string; path: string; secure: boolean; script: boolean }): { value: string } | undefined;
}

/** The raw value of a cookie in this browser's jar for `origin` (as the browser would send it). */
export function cookieIn(browser: Browser, origin: string, name = SESSION_COOKIE): string | undefined {
  const agent = (browser as unknown as { agent(o: string): { jar: Jar } }).agent(new URL(origin).origin);
  return agent.jar.getCookie(name, { domain: new URL(origin).hostname, path: '/', secure: false, script: false })?.value;
}

/** The session id inside express-session's signed cookie value ("s:<sid>.<signature>", URL-encoded). */
export function sidOf(cookieValue: string): string {
  const m = /^s:([^.]+)\./.exec(decodeURIComponent(cookieValue));
  if (!m) throw new Error(`not a signed session cookie: ${cookieValue}`);
  return m[1];
}

export interface SessionRow {
  sid: string;
  sess: string;
  expires_at: string;
}

export async function sessionRow(db: Db, sid: string): Promise<SessionRow | undefined> {
  return db('sessions').where({ sid }).first();
}

/** Rewrites the stored session data, as the passage of time would leave it. */
export async function editSession(db: Db, sid: string, edit: (sess: Record<string, unknown>) => void): Promise<void> {
  const row = await sessionRow(db, sid);
  if (!row) throw new Error(`no session row ${sid}`);
  const sess = JSON.parse(row.sess) as Record<string, unknown>;
  edit(sess);
  await db('sessions').where({ sid }).update({ sess: JSON.stringify(sess) });
}

/** Moves the end of a session's idle period, as a click (or the lack of one) would. */
export async function setSessionExpiry(db: Db, sid: string, at: Date): Promise<void> {
  await db('sessions').where({ sid }).update({ expires_at: at.toISOString() });
}
