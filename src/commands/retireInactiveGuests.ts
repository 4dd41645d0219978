// Guests whose last membership ended and who were given nothing new: disabled after the tenant's
// grace period, removed after a further one (each switchable off in Administration → Settings).
// Both go through the admin's own disable and remove (the same audit events, apps told, history
// kept), acted by the system and stamped once per guest and "last end" (src/db/guestRetirements.ts).
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { readAccessExpiry } from '../db/accessExpirySettings.ts';
import { guestsDueDisabling, guestsDueRemoval, stampDisabled, stampRemoved } from '../db/guestRetirements.ts';
import { daysBefore } from '../domain/accessExpiry.ts';
import { now } from '../domain/clock.ts';
import { disableGuestWithin } from './admin/guests/disableGuest.ts';
import { sponsorsOfGuest } from '../db/guests.ts';
import { findUserById } from '../db/users.ts';
import { queueSystemMail } from '../mail/send.ts';
import { guestDisabledInactiveMail, guestDisabledInactiveSponsorMail } from '../mail/expiryMails.ts';
import type { Tx } from '../db/knex.ts';
import { removeGuestWithin } from './admin/guests/removeGuest.ts';

/** One batch of each step; returns how many guests it looked at (fewer than `batch` each: none left). */
export async function retireInactiveGuests(deps: Deps, ctx: AuditContext, batch = 100): Promise<number> {
  const settings = await readAccessExpiry(deps.db);
  let n = 0;
  if (settings.disableAfterDays !== null) n += await disableDue(deps, ctx, settings.disableAfterDays, batch);
  if (settings.removeAfterDays !== null) n += await removeDue(deps, ctx, settings.removeAfterDays, batch);
  return n;
}

async function disableDue(deps: Deps, ctx: AuditContext, days: number, batch: number): Promise<number> {
  if ((await guestsDueDisabling(deps.db, daysBefore(now(), days), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = now();
    const due = await guestsDueDisabling(trx, daysBefore(at, days), batch);
    for (const g of due) {
      // First stamp wins: a second worker finds the stamp and leaves the guest alone.
      if (!(await stampDisabled(trx, g.user_id, g.ended_at, new Date(at).toISOString()))) continue;
      if (await disableGuestWithin(trx, ctx, { id: g.user_id, state: g.state }, { reason: 'inactive', days, lastAccessEndedAt: g.ended_at })) {
        await tellDisabled(deps, trx, g.user_id, `guest:${g.user_id}:inactive:${g.ended_at}`, days);
      }
    }
    return due.length;
  });
}

async function removeDue(deps: Deps, ctx: AuditContext, days: number, batch: number): Promise<number> {
  if ((await guestsDueRemoval(deps.db, daysBefore(now(), days), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = now();
    const due = await guestsDueRemoval(trx, daysBefore(at, days), batch);
    for (const g of due) {
      if (!(await stampRemoved(trx, g.retirement_id, new Date(at).toISOString()))) continue;
      // Only while still disabled: an admin who enabled the guest meanwhile wins.
      await removeGuestWithin(trx, ctx, { id: g.user_id, state: g.state, email: g.email }, ['disabled'], { reason: 'inactive', days, lastAccessEndedAt: g.ended_at });
    }
    return due.length;
  });
}

/** The guest (why, and whom to ask) and their active sponsors (an admin can enable the guest again). */
async function tellDisabled(deps: Deps, trx: Tx, guestId: number, cause: string, days: number): Promise<void> {
  const guest = await findUserById(trx, guestId);
  if (!guest) return;
  await queueSystemMail(trx, guestDisabledInactiveMail(deps.config, cause, { id: guest.id, email: guest.email }, days));
  for (const s of await sponsorsOfGuest(trx, guest.id)) {
    const sponsor = await findUserById(trx, s.id);
    if (!sponsor || sponsor.state !== 'active') continue;
    await queueSystemMail(trx, guestDisabledInactiveSponsorMail(deps.config, cause, { id: guest.id, email: guest.email, name: guest.display_name }, sponsor, days));
  }
}
