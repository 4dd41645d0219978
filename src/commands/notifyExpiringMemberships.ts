// Memberships nearing their end: N days before (the tenant's thresholds, 14 and 3 by default), the
// guest is mailed the date with one click to ask for an extension, and their sponsors are told. Each
// notice is stamped once per membership, threshold and term (a conditional insert), so a rerun or a
// second worker sends nothing twice, a missed run sends one notice for the thresholds it missed, and
// a membership extended since (a new end) gets fresh notices.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction, type Tx } from '../db/knex.ts';
import { readAccessExpiry } from '../db/accessExpirySettings.ts';
import { membershipsDueNotice, stampNotice, type NearingEnd } from '../db/membershipNotices.ts';
import { sponsorsOfGuest } from '../db/guests.ts';
import { findUserById } from '../db/users.ts';
import { daysLeft, dueThresholds } from '../domain/accessExpiry.ts';
import { now } from '../domain/clock.ts';
import { queueSystemMail } from '../mail/send.ts';
import { expiryNoticeMail, expiryNoticeSponsorMail } from '../mail/expiryMails.ts';

/** One batch, one transaction; returns how many memberships it looked at (fewer than `batch`: none left). */
export async function notifyExpiringMemberships(deps: Deps, ctx: AuditContext, batch = 100): Promise<number> {
  const { noticeDays } = await readAccessExpiry(deps.db);
  // Asked every sweep: with nothing due, no write transaction (and no wait for the audit head).
  if ((await membershipsDueNotice(deps.db, noticeDays, now(), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = now();
    const due = await membershipsDueNotice(trx, noticeDays, at, batch);
    for (const m of due) {
      const thresholds = dueThresholds(noticeDays, m.expires_at, at, m.created_at);
      let stamped = false;
      for (const d of thresholds) if (await stampNotice(trx, m.id, d, m.expires_at, new Date(at).toISOString())) stamped = true;
      // Another worker (or an earlier run) sent it: nothing more to do.
      if (!stamped || thresholds.length === 0) continue;
      await tell(deps, trx, ctx, m, Math.min(...thresholds), daysLeft(m.expires_at, at));
    }
    return due.length;
  });
}

async function tell(deps: Deps, trx: Tx, ctx: AuditContext, m: NearingEnd, threshold: number, days: number): Promise<void> {
  const guest = await findUserById(trx, m.user_id);
  if (!guest) return;
  const notice = { id: m.id, item: m.item_name, expiresAt: m.expires_at, days, threshold };
  await queueSystemMail(trx, expiryNoticeMail(deps.config, notice, { id: guest.id, email: guest.email }));
  const told: string[] = [guest.email];
  for (const s of await sponsorsOfGuest(trx, guest.id)) {
    const sponsor = await findUserById(trx, s.id);
    if (!sponsor || sponsor.state !== 'active') continue;
    await queueSystemMail(trx, expiryNoticeSponsorMail(deps.config, notice, { id: guest.id, email: guest.email, name: guest.display_name }, sponsor));
    told.push(sponsor.email);
  }
  await appendAudit(trx, ctx, {
    action: 'membership.expiry_notice',
    target: `user:${guest.id}`,
    details: { item: m.item_name, itemId: m.item_id, expiresAt: m.expires_at, days, told },
  });
}
