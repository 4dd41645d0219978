// An express-session store on the application database (the rows are src/db/sessions.ts's). Writes
// are outside the audit-ordered transactions; touches are throttled so a busy page does not write on
// every click.
import session from 'express-session';
import type { Db } from '../db/knex.ts';
import { destroySession, getSession, pruneSessions, sessionExpiry, setSession, touchSession } from '../db/sessions.ts';

const TOUCH_EVERY_MS = 60_000;

declare module 'express-session' {
  interface SessionData {
    /** When the person signed in (ms since the epoch); the absolute session lifetime counts from here. */
    signedInAt?: number;
  }
}

export function isSignedIn(sess: Partial<session.SessionData>): boolean {
  return Boolean((sess as { passport?: { user?: unknown } }).passport?.user);
}

export class DbSessionStore extends session.Store {
  private lastSweep = 0;
  /**
   * The stored expiry of sessions this process just read or wrote, so that the touch at the end of a
   * request does not read back what `get` read at its start. Only ever a hint: a missing entry means
   * one more read, and another process moving the expiry forward only makes a touch write early.
   */
  private readonly knownExpiry = new Map<string, string>();

  private remember(sid: string, expiresAt: string): void {
    if (this.knownExpiry.size >= 10_000) this.knownExpiry.clear();
    this.knownExpiry.set(sid, expiresAt);
  }

  constructor(
    private readonly db: Db,
    private readonly idleMs: number,
    /** Before each write: a pause the fault tests switch on (a database slow to save the session). */
    private readonly beforeWrite: () => Promise<void> = async () => undefined,
  ) {
    super();
  }

  private expiry(sess: session.SessionData): string {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : 0;
    return new Date(cookieExpiry || Date.now() + this.idleMs).toISOString();
  }

  get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    getSession(this.db, sid)
      .then(async (row) => {
        if (!row) return null;
        this.remember(sid, row.expires_at);
        // Idle too long: the row goes now, so the old cookie can never bring the session back.
        if (row.expires_at <= new Date().toISOString()) {
          await destroySession(this.db, sid);
          return null;
        }
        return JSON.parse(row.sess) as session.SessionData;
      })
      .then((sess) => cb(null, sess), cb);
  }

  set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    // Passport saves the new session at sign-in: that first save of a signed-in session is the sign-in time.
    if (isSignedIn(sess) && typeof sess.signedInAt !== 'number') sess.signedInAt = Date.now();
    const row = { sess: JSON.stringify(sess), expires_at: this.expiry(sess) };
    this.beforeWrite()
      .then(() => setSession(this.db, sid, row))
      .then(() => this.remember(sid, row.expires_at))
      .then(() => this.sweep())
      .then(() => cb?.(), (err) => cb?.(err));
  }

  touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expiresAt = this.expiry(sess);
    // Only write when the stored expiry is more than a minute behind: the idle timeout stays exact
    // to the minute without a write per request. Reading first matters on SQLite, where even an
    // UPDATE that matches nothing takes the write lock.
    const stale = new Date(new Date(expiresAt).getTime() - TOUCH_EVERY_MS).toISOString();
    const known = this.knownExpiry.get(sid);
    if (known !== undefined && known >= stale) return void cb?.();
    sessionExpiry(this.db, sid)
      .then(async (stored) => {
        if (stored === undefined || stored >= stale) return;
        await touchSession(this.db, sid, expiresAt);
        this.remember(sid, expiresAt);
      })
      .then(() => cb?.(), (err) => cb?.(err));
  }

  destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.knownExpiry.delete(sid);
    destroySession(this.db, sid).then(() => cb?.(), (err) => cb?.(err));
  }

  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 10 * 60_000) return;
    this.lastSweep = Date.now();
    await pruneSessions(this.db, new Date().toISOString());
  }
}
