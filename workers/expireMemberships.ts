// The sweep's expiry pass: memberships past their term are ended once each, a batch per transaction,
// so that the apps concerned are told (workers/appAccessEnded.ts). Harmless twice: an ended one is marked.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { endExpiredMemberships } from '../src/commands/expireMemberships.ts';

const BATCH = 200;
// Bounded per run so that one run cannot hold the worker; the next sweep goes on where it stopped.
const MAX_BATCHES = 25;

export async function expireMemberships(deps: Deps, ctx: AuditContext): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await endExpiredMemberships(deps, ctx, BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}
