import session from 'express-session';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/knex.ts';
import { DbSessionStore, isSignedIn } from '../sessionStore.ts';
import { faultPoint } from '../../faults.ts';

/**
 * Sessions live in the database so any web process can serve any request and a Redis outage signs
 * nobody out. In production over https the cookie gets the __Host- prefix: Secure, no Domain, Path=/,
 * so no sibling host can plant one.
 *
 * Two lifetimes: the idle one is the row's and the cookie's expiry, pushed forward by each request;
 * the absolute one counts from sign-in and no amount of activity extends it.
 */
export function sessionMiddleware(config: Config, db: Db): RequestHandler[] {
  return [
    session({
      name: config.secureCookies ? '__Host-passerelle' : 'passerelle.sid',
      store: new DbSessionStore(db, config.sessionIdleMinutes * 60_000, () => faultPoint(config, 'session.save')),
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      proxy: config.trustProxy !== false,
      cookie: {
        httpOnly: true,
        // Lax, not Strict: the IdP's redirect back to our callback is a cross-site top-level GET.
        sameSite: 'lax',
        secure: config.secureCookies,
        path: '/',
        maxAge: config.sessionIdleMinutes * 60 * 1000,
      },
    }),
    absoluteLifetime(config.sessionAbsoluteHours * 3_600_000),
  ];
}

/**
 * A signed-in session older than the absolute lifetime is destroyed (its row deleted) before anything
 * reads it: the request goes on anonymous, on a fresh session, and guarded pages send it to sign in.
 */
function absoluteLifetime(maxMs: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const sess = req.session;
    if (!sess || !isSignedIn(sess)) return next();
    // The store stamps signedInAt when passport saves the new session at sign-in; a session from
    // before this rule existed gets its clock started now.
    if (typeof sess.signedInAt !== 'number') {
      sess.signedInAt = Date.now();
      return next();
    }
    if (Date.now() - sess.signedInAt < maxMs) return next();
    sess.regenerate((err) => next(err));
  };
}
