// The sweep's notice pass: memberships nearing their end get their notices (guest and sponsors), once
// per threshold and term, a batch per transaction. Harmless twice: a notice sent is stamped.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { notifyExpiringMemberships } from '../src/commands/notifyExpiringMemberships.ts';

const BATCH = 100;
// Bounded per run so that one run cannot hold the worker; the next sweep goes on where it stopped.
const MAX_BATCHES = 25;

export async function sendMembershipNotices(deps: Deps, ctx: AuditContext): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await notifyExpiringMemberships(deps, ctx, BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}
