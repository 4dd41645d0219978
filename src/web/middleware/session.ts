import session from 'express-session';
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config.ts';

/**
 * Sessions live in Redis so any web process can serve any request. In production over https the
 * cookie gets the __Host- prefix: Secure, no Domain, Path=/, so no sibling host can plant one.
 */
export function sessionMiddleware(config: Config, redis: RedisClientType) {
  return session({
    name: config.secureCookies ? '__Host-passerelle' : 'passerelle.sid',
    store: new RedisStore({ client: redis, prefix: `${config.redisPrefix}:sess:` }),
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
