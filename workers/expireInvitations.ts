// The sweep's invitation pass: pending invitations past their expiry are marked expired once each (the
// inviter told), a batch per transaction. Harmless twice: an expired one is no longer pending.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { expireDueInvitations } from '../src/commands/expireInvitations.ts';

const BATCH = 200;
// Bounded per run so that one run cannot hold the worker; the next sweep goes on where it stopped.
const MAX_BATCHES = 25;

export async function expireInvitations(deps: Deps, ctx: AuditContext): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await expireDueInvitations(deps, ctx, BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}
