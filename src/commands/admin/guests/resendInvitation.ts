import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { itemsOfGuest } from '../../../db/guests.ts';
import { latestInvitation } from '../../../db/invitations.ts';
import { findUserById } from '../../../db/users.ts';
import { queueSystemMail } from '../../../mail/send.ts';
import { conflict } from '../../../domain/errors.ts';
import { invitationMail } from '../../../mail/templates.ts';
import { requireGuest } from './requireGuest.ts';
import { findRequest } from '../../../db/requests.ts';
import { decisionOfRequest } from '../../../mail/decision.ts';

/** Mails the pending invitation again with a fresh token (the previous link stops working). */
export async function resendInvitation(deps: Deps, ctx: AuditContext, guestId: number): Promise<void> {
  await requireGuest(deps.db, guestId);
  const inv = await latestInvitation(deps.db, guestId);
  if (!inv || inv.status !== 'pending' || inv.expires_at <= new Date().toISOString()) throw conflict('guests.noPendingInvitation');
  await inTransaction(deps.db, async (trx) => {
    const items = await itemsOfGuest(trx, guestId);
    const inviter = inv.invited_by ? await findUserById(trx, inv.invited_by) : undefined;
    // An invitation that followed a sponsor's decision says it again: approved, denied and why, until when.
    const request = inv.request_id ? await findRequest(trx, inv.request_id) : undefined;
    const decision = request ? await decisionOfRequest(trx, request, Date.parse(inv.created_at) || Date.now()) : null;
    await queueSystemMail(
      trx,
      invitationMail(deps.config, { id: inv.id, email: inv.email, expiresAt: inv.expires_at, userId: guestId }, items, inviter?.display_name ?? '', {
        message: inv.message,
        cc: inv.cc ? String(inv.cc).split(' ') : [],
        dedupeKey: `invitation:${inv.id}:resend:${Date.now()}`,
        decision,
      }),
    );
    await appendAudit(trx, ctx, { action: 'invitation.resent', target: `invitation:${inv.id}`, details: { email: inv.email } });
  });
}
