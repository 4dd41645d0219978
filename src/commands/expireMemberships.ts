// Memberships reaching the end of their term. Access already stops at expires_at (every check reads
// it); this acts on the end once: the membership marked ended (My access no longer lists it, an app's
// sign-in refuses it even before the clock is read), audited, the apps concerned told through the
// outbox, the guest mailed what they no longer have and where to ask again, and their sponsors told.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction, type Tx } from '../db/knex.ts';
import { expiredUnendedMemberships, markAccessEnded, type ExpiredMembership } from '../db/memberships.ts';
import { sponsorsOfGuest } from '../db/guests.ts';
import { findUserById } from '../db/users.ts';
import { nowIso } from '../domain/clock.ts';
import { queueSystemMail } from '../mail/send.ts';
import { accessExpiredMail, accessExpiredSponsorMail } from '../mail/expiryMails.ts';
import { noteAppAccessEnded } from './appAccessEnded.ts';

/** One batch, one transaction; returns how many memberships it ended (0: none left). */
export async function endExpiredMemberships(deps: Deps, ctx: AuditContext, batch = 200): Promise<number> {
  // Asked every sweep: with nothing to end, no write transaction (and no wait for the audit head).
  if ((await expiredUnendedMemberships(deps.db, nowIso(), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = nowIso();
    const expired = await expiredUnendedMemberships(trx, at, batch);
    const endedByUser = new Map<number, ExpiredMembership[]>();
    for (const m of expired) {
      if (!(await markAccessEnded(trx, m.id, at))) continue;
      await appendAudit(trx, ctx, { action: 'membership.expired', target: `user:${m.user_id}`, details: { item: m.item_name, itemId: m.item_id, expiresAt: m.expires_at } });
      endedByUser.set(m.user_id, [...(endedByUser.get(m.user_id) ?? []), m]);
    }
    for (const [userId, ended] of endedByUser) {
      await noteAppAccessEnded(trx, userId, ended.map((m) => m.item_id));
      await tellEnded(deps, trx, userId, ended);
    }
    return expired.length;
  });
}

/** The guest (while they can still sign in) and their active sponsors, one mail each for what ended together. */
async function tellEnded(deps: Deps, trx: Tx, userId: number, ended: ExpiredMembership[]): Promise<void> {
  const guest = await findUserById(trx, userId);
  if (!guest || guest.user_type !== 'guest' || guest.state !== 'active') return;
  const items = ended.map((m) => m.item_name);
  const cause = `membership:${ended[0]!.id}:ended:${ended[0]!.expires_at}`;
  await queueSystemMail(trx, accessExpiredMail(deps.config, cause, { id: guest.id, email: guest.email }, items));
  for (const s of await sponsorsOfGuest(trx, guest.id)) {
    const sponsor = await findUserById(trx, s.id);
    if (!sponsor || sponsor.state !== 'active') continue;
    await queueSystemMail(trx, accessExpiredSponsorMail(deps.config, cause, { id: guest.id, email: guest.email, name: guest.display_name }, sponsor, items));
  }
}
