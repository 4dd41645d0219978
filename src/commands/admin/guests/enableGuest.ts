import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { changeGuestState } from '../../../db/guests.ts';
import { hasIdentity } from '../../../db/users.ts';
import { conflict } from '../../../domain/errors.ts';
import { requireGuest } from './requireGuest.ts';

/** Undoes disableGuest, and only that: a removed guest stays removed. */
export async function enableGuest(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  await inTransaction(deps.db, async (trx) => {
    // Back to "active" only if they had redeemed; otherwise to "invited".
    const target = (await hasIdentity(trx, guestId)) ? 'active' : 'invited';
    if (!(await changeGuestState(trx, guestId, ['disabled'], target))) throw conflict();
    await appendAudit(trx, ctx, { action: 'guest.enabled', target: `user:${guestId}`, details: { changes: { state: [guest.state, target] } } });
  });
}
