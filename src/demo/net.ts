import { createServer } from 'node:net';

/**
 * Ask the OS for a currently unused TCP port on 127.0.0.1.
 *
 * Only for processes we cannot hand port 0 to (redis-server treats `--port 0`
 * as "no TCP at all"). There is a small window in which someone else may take
 * the port before it is used; acceptable for a local demo and tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : port ? resolve(port) : reject(new Error('Could not determine a free port'))));
    });
  });
}
