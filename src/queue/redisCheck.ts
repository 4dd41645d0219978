import { createClient } from 'redis';

/**
 * Bull loses jobs when Redis evicts keys, so any policy but `noeviction` stops start-up. A Redis that
 * does not answer yet is not an error here: the processes reconnect when it comes back.
 */
export async function checkRedisPolicy(url: string): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    return;
  }
  try {
    const reply = (await client.sendCommand(['CONFIG', 'GET', 'maxmemory-policy'])) as string[] | Record<string, string>;
    const policy = Array.isArray(reply) ? reply[1] : reply['maxmemory-policy'];
    if (policy && policy !== 'noeviction') {
      throw new Error(
        `Redis at ${new URL(url).host} uses maxmemory-policy "${policy}". Bull needs "noeviction", or queued jobs can vanish. ` +
          'Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf).',
      );
    }
  } catch (err) {
    // CONFIG may be disabled on managed Redis; only our own refusal stops the start.
    if ((err as Error).message.includes('maxmemory-policy "')) throw err;
  } finally {
    await client.quit().catch(() => undefined);
  }
}
