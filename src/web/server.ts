import http from 'node:http';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { buildApp, type Limits } from './app.ts';

export interface WebHandle {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export const defaultLimits: Limits = { signInPerMinute: 30, submitPerMinute: 10, redeemPerMinute: 20 };

/** Starts the web process: Redis for sessions and limits, then the HTTP server; close() drains it. */
export async function startWeb(deps: Deps, log: Logger, limits: Limits = defaultLimits): Promise<WebHandle> {
  const redis = createClient({ url: deps.config.redisUrl, socket: { connectTimeout: 5000 } }) as RedisClientType;
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis client error'));
  await redis.connect();
  const app = buildApp(deps, redis, log, limits);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(deps.config.port, deps.config.host, resolve));
  const address = server.address() as { port: number };
  return {
    server,
    url: `http://${deps.config.host}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await redis.quit().catch(() => undefined);
    },
  };
}
