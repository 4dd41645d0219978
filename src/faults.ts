// Named pauses that the fault tests switch on (FAULTS="provision.in-transaction=3000"), so a test can
// kill a process at a precise point. Configuration refuses FAULTS outside NODE_ENV=test.
import type { Config } from './config.ts';

export async function faultPoint(config: Config, name: string): Promise<void> {
  const ms = config.faults[name];
  if (!ms) return;
  if (name.endsWith('.block')) {
    // Blocks the event loop itself, as a runaway computation would (Bull cannot renew its lock).
    const until = Date.now() + ms;
    while (Date.now() < until);
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
}
