import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { removeGuestSponsor } from '../../../db/guests.ts';
import { requireGuest } from './requireGuest.ts';

/** Removing one who does not sponsor the guest changes nothing and audits nothing. */
export async function removeSponsor(deps: Deps, ctx: AuditContext, guestId: number, sponsorId: number): Promise<void> {
  await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    if (await removeGuestSponsor(trx, guestId, sponsorId)) {
      await appendAudit(trx, ctx, { action: 'guest.sponsor_removed', target: `user:${guestId}`, details: { sponsor: sponsorId } });
    }
  });
}
