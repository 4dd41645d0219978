import http from 'node:http';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { buildApp, type Limits } from './app.ts';
import { createQueues, JOBS } from '../queue/queues.ts';
import { followDemoClock } from '../clockFollower.ts';

export interface WebHandle {
  app: ReturnType<typeof buildApp>;
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 10_000;

/** Starts the web process: Redis for sessions and limits, then the HTTP server; close() drains it. */
export async function startWeb(deps: Deps, log: Logger, limits: Limits = deps.config.rateLimits): Promise<WebHandle> {
  // Redis serves only the rate limits here. Commands fail at once while it is away (no offline
  // queue), so a request never waits on Redis; the limiter then lets the request through.
  const redis = createClient({
    url: deps.config.redisUrl,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  }) as RedisClientType;
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) log.warn({ err: err.message }, 'redis unavailable; rate limits are not enforced until it returns');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) log.info('redis is back');
    redisDown = false;
  });
  // Start even when Redis is not there yet: the client keeps trying in the background.
  redis.connect().catch(() => undefined);
  // The web process only reads the queues (admin page) and retries failed jobs; it never waits on them.
  const queues = createQueues(deps.config);
  for (const q of Object.values(JOBS)) queues[q].on('error', () => undefined);
  const app = buildApp(deps, redis, queues, log, limits);
  const server = http.createServer(app);
  // A port already taken is an error, not a start that never ends.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as { port: number };
  const demoClock = followDemoClock(deps, log);
  return {
    app,
    server,
    url: `http://${deps.config.host}:${address.port}`,
    async close() {
      demoClock.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight get a moment to finish; one that never does must not hold the stop forever.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      redis.destroy();
      await queues.close(2000).catch(() => undefined);
    },
  };
}
