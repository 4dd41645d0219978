// The sweep's pending-request pass: requests past their time-outs expire, are escalated, are reminded
// (in that order, so that a request due for several steps at once, after an outage, takes the last
// one first and is not reminded on its way out), a batch per transaction. Harmless twice: each step
// is stamped on the request with a conditional update.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { escalateDueRequests, expireDueRequests, remindDueRequests } from '../src/commands/requestTimeouts.ts';

const BATCH = 200;
// Bounded per run so that one run cannot hold the worker; the next sweep goes on where it stopped.
const MAX_BATCHES = 25;

export async function requestTimeouts(deps: Deps, ctx: AuditContext): Promise<number> {
  let total = 0;
  for (const step of [expireDueRequests, escalateDueRequests, remindDueRequests]) {
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await step(deps, ctx, BATCH);
      total += n;
      if (n < BATCH) break;
    }
  }
  return total;
}
