// Invitations that reached their expiry unused. Their links already stop working at expires_at (every
// check reads it); this acts on the expiry once: the invitation marked expired, audited, and whoever
// invited (or decided the request it followed) told by mail, with a link to where it can be resent.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { dueExpiredInvitations, itemOwnedForGuest, markInvitationExpired, type DueInvitation } from '../db/invitationExpiry.ts';
import { findUserById } from '../db/users.ts';
import { nowIso } from '../domain/clock.ts';
import { queueSystemMail } from '../mail/send.ts';
import { invitationExpiredMail } from '../mail/templates.ts';
import type { Tx } from '../db/knex.ts';

/** One batch, one transaction; returns how many invitations it looked at (fewer than `batch`: none left). */
export async function expireDueInvitations(deps: Deps, ctx: AuditContext, batch = 200): Promise<number> {
  // Asked every sweep: with nothing due, no write transaction (and no wait for the audit head).
  if ((await dueExpiredInvitations(deps.db, nowIso(), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = nowIso();
    const due = await dueExpiredInvitations(trx, at, batch);
    for (const inv of due) {
      if (!(await markInvitationExpired(trx, inv.id, at))) continue;
      const told = await tellInviter(deps, trx, inv);
      await appendAudit(trx, ctx, {
        action: 'invitation.expired',
        target: `invitation:${inv.id}`,
        details: { email: inv.email, userId: inv.user_id, expiresAt: inv.expires_at, ...(told && { told: told.email }) },
      });
    }
    return due.length;
  });
}

/** The request's decider for an invitation that followed a request, else whoever invited; nobody for an API client's. */
async function tellInviter(deps: Deps, trx: Tx, inv: DueInvitation): Promise<{ email: string } | null> {
  const whoId = inv.decided_by ?? inv.invited_by;
  if (!whoId) return null;
  const who = await findUserById(trx, whoId);
  if (!who || who.state === 'removed' || who.state === 'disabled') return null;
  // An admin resends from the guest's page, an owner from the page of their item the guest has; a
  // sponsor who is neither is sent to the request they decided (an admin resends for them).
  const base = deps.config.publicUrl;
  const owned = who.role === 'admin' ? null : await itemOwnedForGuest(trx, Number(who.id), inv.user_id);
  const link =
    who.role === 'admin' ? `${base}/admin/guests/${inv.user_id}` : owned ? `${base}/owner/items/${owned}` : inv.request_id ? `${base}/inbox/${inv.request_id}` : `${base}/owner`;
  await queueSystemMail(trx, invitationExpiredMail({ id: inv.id, email: inv.email, expiresAt: inv.expires_at }, { id: Number(who.id), email: who.email }, link));
  return { email: who.email };
}
