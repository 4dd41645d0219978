import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction, type Tx } from '../../../db/knex.ts';
import { changeGuestState } from '../../../db/guests.ts';
import type { User } from '../../../db/rows.ts';
import { conflict } from '../../../domain/errors.ts';
import { noteAppAccessEnded } from '../../appAccessEnded.ts';
import { requireGuest } from './requireGuest.ts';

/** Sign-in is refused from the guest's next request on; memberships and invitations are kept for enableGuest. */
export async function disableGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    if (!(await disableGuestWithin(trx, ctx, guest))) throw conflict();
  });
}

/**
 * The disabling itself, in the caller's transaction (an admin's, or the system's for a guest whose
 * access all ended): false when the guest was neither active nor invited any more (someone came first).
 */
export async function disableGuestWithin(trx: Tx, ctx: AuditContext, guest: Pick<User, 'id' | 'state'>, details: Record<string, unknown> = {}): Promise<boolean> {
  if (!(await changeGuestState(trx, guest.id, ['active', 'invited'], 'disabled'))) return false;
  await appendAudit(trx, ctx, { action: 'guest.disabled', target: `user:${guest.id}`, details: { changes: { state: [guest.state, 'disabled'] }, ...details } });
  await noteAppAccessEnded(trx, guest.id, null);
  return true;
}
