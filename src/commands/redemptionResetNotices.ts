// After a redemption reset, the people who would notice a takeover are told: the guest at the
// address they had, and their sponsors. A reset hands the guest (and every membership) to whoever
// redeems the new invitation, possibly at another address, so it must never happen silently.
// Runs inside the reset's transaction, so the mails exist exactly when the reset does.
import type { Config } from '../config.ts';
import type { Tx } from '../db/knex.ts';
import { sponsorsOfGuest } from '../db/guests.ts';
import { queueSystemMail } from '../mail/send.ts';
import { resetGuestMail, resetSponsorMail } from '../mail/templates.ts';

export interface ResetNoticeInput {
  guest: { id: number; display_name: string; email: string };
  /** The address the new invitation is for (the same one when the address did not change). */
  newEmail: string;
  /** Whether the guest had redeemed before the reset (an identity was unbound, or they were active). */
  redeemed: boolean;
  /** The invitation the reset created: the mails are queued once per reset. */
  invitationId: number;
  /** Who reset: a person's name or an API client's. */
  by: string;
  /** The member who reset, if one did: not told about their own act. */
  byUserId: number | null;
}

/** Queues the notices; returns the addresses told (none for a guest who never redeemed, at the same address). */
export async function queueRedemptionResetNotices(trx: Tx, config: Config, input: ResetNoticeInput): Promise<string[]> {
  const { guest, newEmail } = input;
  const moved = newEmail !== guest.email;
  // Re-sending an invitation nobody accepted yet, to the same address, takes nothing from anyone.
  if (!input.redeemed && !moved) return [];
  // The reset's new invitation names the cause: each reset tells each person once.
  const cause = `reset:${input.invitationId}`;
  const drafts = [resetGuestMail(config, cause, guest.email, input.by, moved)];
  for (const s of await sponsorsOfGuest(trx, guest.id)) {
    if (s.id === input.byUserId) continue;
    drafts.push(resetSponsorMail(config, cause, s, { name: guest.display_name, previousEmail: guest.email, email: newEmail }, input.by));
  }
  for (const d of drafts) await queueSystemMail(trx, d);
  return drafts.map((d) => d.to);
}
