// The sweep's retirement pass: guests whose access all ended are disabled after the grace period and
// removed after the further one, each once. Harmless twice: each step is stamped.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { retireInactiveGuests } from '../src/commands/retireInactiveGuests.ts';

const BATCH = 100;
const MAX_BATCHES = 10;

export async function retireGuests(deps: Deps, ctx: AuditContext): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await retireInactiveGuests(deps, ctx, BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}
