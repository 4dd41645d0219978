import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { changeGuestState } from '../../../db/guests.ts';
import { conflict } from '../../../domain/errors.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** Sign-in is refused from the guest's next request on; memberships and invitations are kept for enableGuest. */
export async function disableGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    if (!(await changeGuestState(trx, guestId, ['active', 'invited'], 'disabled'))) throw conflict();
    await appendAudit(trx, ctx, { action: 'guest.disabled', target: `user:${guestId}`, details: { changes: { state: [guest.state, 'disabled'] } } });
    await noteAppAccessEnded(trx, guestId, null);
  });
}
