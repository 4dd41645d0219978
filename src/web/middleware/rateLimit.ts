import { createHash } from 'node:crypto';
import { rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config.ts';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.ts';

/**
 * Counters live in Redis so the limit holds across web processes. The client address comes from
 * Express's `trust proxy` setting, so a forged X-Forwarded-For does not reset it.
 */
export function limiter(config: Config, redis: RedisClientType, name: string, perMinute: number, log: Logger) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
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
    handler: (_req, _res, next) => next(new AppError(429, 'too_many_requests', 'errors.tooMany')),
  });
}
