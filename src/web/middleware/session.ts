import session from 'express-session';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/knex.ts';
import { DbSessionStore } from '../sessionStore.ts';

/**
 * Sessions live in the database so any web process can serve any request and a Redis outage signs
 * nobody out. In production over https the cookie gets the __Host- prefix: Secure, no Domain, Path=/,
 * so no sibling host can plant one.
 */
export function sessionMiddleware(config: Config, db: Db) {
  return session({
    name: config.secureCookies ? '__Host-passerelle' : 'passerelle.sid',
    store: new DbSessionStore(db, config.sessionIdleMinutes * 60_000),
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
  });
}
