import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config.ts';
import type { Logger } from 'pino';
import { RateLimited } from '../../domain/errors.ts';
import { principalOf } from './requestContext.ts';

/**
 * Counters live in Redis so the limit holds across web processes. The client address comes from
 * Express's `trust proxy` setting, so a forged X-Forwarded-For does not reset it.
 *
 * `key` counts by something else than the client address (an account, a target address): requests
 * for which it answers undefined are not counted by this limiter. The value is hashed before it
 * becomes part of a Redis key, so no address or identity is stored there in clear.
 */
export function limiter(config: Config, redis: RedisClientType, name: string, perMinute: number, log: Logger, key?: (req: Request) => string | undefined): Limiter {
  const handler = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    ...(key && {
      skip: (req: Request) => key(req) === undefined,
      keyGenerator: (req: Request) => createHash('sha256').update(key(req) ?? '').digest('base64url'),
    }),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // A Redis outage must not lock everyone out: the request goes on and the limit resumes later.
    passOnStoreError: true,
    // X-Forwarded-For is ignored unless TRUST_PROXY says who may set it; that is the point, not a mistake.
    validate: { xForwardedForHeader: false },
    // The web process already says once that Redis is away; no line per request.
    logger: { error: (err: unknown) => log.debug({ err: String(err) }, `rate limit "${name}" not enforced`), warn: () => undefined } as never,
    store: new RedisStore({
      prefix: `${config.redisPrefix}:rl:${name}:`,
      sendCommand: (...args: string[]) => {
        // SCRIPT LOAD only returns the script's SHA-1. Answering it here while Redis is away keeps the
        // store usable: its first EVALSHA then gets NOSCRIPT and the store loads the script for real.
        if (!redis.isReady && args[0] === 'SCRIPT' && args[1] === 'LOAD') {
          return Promise.resolve(createHash('sha1').update(args[2]).digest('hex'));
        }
        return redis.sendCommand(args) as Promise<RedisReply>;
      },
    }),
    handler: (req, _res, next) => {
      const count = (req as { rateLimit?: { used: number; limit: number } }).rateLimit;
      next(new RateLimited(name, Boolean(count && count.used === count.limit + 1)));
    },
  });
  return Object.assign(handler, { alsoBy: (n: string, k: (req: Request) => string | undefined) => limiter(config, redis, n, perMinute, log, k) });
}

// The refusal is a domain error so that both error handlers (web and API) read it without importing
// this middleware; re-exported for the routes that catch it.
export { RateLimited, rateLimitAudit } from '../../domain/errors.ts';

/**
 * A limiter, and the same limit counted by another key on the same Redis (`alsoBy`): a route handed
 * its per-client limit can add a per-account one without being handed the Redis client.
 */
export type Limiter = RateLimitRequestHandler & { alsoBy(name: string, key: (req: Request) => string | undefined): Limiter };

/** The signed-in account (issuer and subject), for limits that many client addresses must not escape. */
export function byAccount(req: Request): string | undefined {
  const p = principalOf(req);
  return p ? `${p.issuer}\n${p.subject}` : undefined;
}

/** Several limiters as one middleware, for routes that take one: each must let the request pass. */
export function allOf(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    const step = (i: number) => (err?: unknown) => (err || i === handlers.length ? next(err) : handlers[i](req, res, step(i + 1)));
    step(0)();
  };
}
