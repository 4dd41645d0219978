import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { addGuestSponsor } from '../../../db/guests.ts';
import { findUserById } from '../../../db/users.ts';
import { invalid } from '../../../domain/errors.ts';
import { requireGuest } from './requireGuest.ts';

/** Only a member of our organization can sponsor; adding one who already sponsors changes nothing. */
export async function addSponsor(deps: Deps, ctx: AuditContext, guestId: number, sponsorId: number): Promise<void> {
  await requireGuest(deps.db, guestId);
  const sponsor = await findUserById(deps.db, sponsorId);
  if (!sponsor || sponsor.user_type !== 'member') throw invalid('errors.invalidForm', { sponsor: 'validation.choice' });
  await inTransaction(deps.db, async (trx) => {
    if (!(await addGuestSponsor(trx, guestId, sponsorId))) return;
    await appendAudit(trx, ctx, { action: 'guest.sponsor_added', target: `user:${guestId}`, details: { sponsor: sponsor.email } });
  });
}
