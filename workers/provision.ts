// Turns an approved request into a guest user, memberships and an invitation, in one transaction,
// and queues the mail last. A rerun finds the request already provisioned and does nothing.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { appendAudit } from '../src/db/audit.ts';
import { inTransaction } from '../src/db/knex.ts';
import { findRequest, transitionRequest } from '../src/db/requests.ts';
import { itemsOfRequest } from '../src/db/catalog.ts';
import { findUserByEmail, findUserByIdentity, findUserById, insertUser } from '../src/db/users.ts';
import { grantMembership } from '../src/db/memberships.ts';
import { insertInvitation } from '../src/db/invitations.ts';
import { queueMail } from '../src/db/mail.ts';
import { addOutbox } from '../src/db/outbox.ts';
import { newToken } from '../src/domain/tokens.ts';
import { grantedMail, invitationMail } from '../src/mail/templates.ts';

const DAY = 24 * 3600 * 1000;

export async function provisionRequest(deps: Deps, ctx: AuditContext, data: { requestId: number }): Promise<'provisioned' | 'skipped'> {
  const { db, config } = deps;
  return inTransaction(db, async (trx) => {
    const request = await findRequest(trx, data.requestId);
    if (!request || request.status !== 'approved') return 'skipped';
    const items = await itemsOfRequest(trx, request.id);
    const sponsor = request.decided_by ? (await findUserById(trx, request.decided_by))?.display_name ?? '' : '';

    // Someone who already redeemed an invitation is known by identity; reuse them and skip the invitation.
    const known = await findUserByIdentity(trx, request.requester_issuer, request.requester_subject);
    let user = known ?? (await findUserByEmail(trx, 'guest', request.requester_email));
    if (!user) {
      const id = await insertUser(trx, {
        display_name: request.requester_name,
        email: request.requester_email,
        user_type: 'guest',
        state: 'invited',
      });
      user = (await findUserById(trx, id))!;
      await appendAudit(trx, ctx, {
        action: 'guest.created',
        target: `user:${id}`,
        details: { email: user.email, request: request.id },
      });
    }

    const stamp = Date.now();
    for (const item of items) {
      const expiresAt = item.max_days ? new Date(stamp + item.max_days * DAY).toISOString() : null;
      const granted = await grantMembership(trx, {
        userId: user.id,
        itemId: item.id,
        source: 'request',
        sourceId: request.id,
        grantedBy: request.decided_by,
        expiresAt,
      });
      if (granted) {
        await appendAudit(trx, ctx, {
          action: 'membership.granted',
          target: `user:${user.id}`,
          details: { item: item.name, expiresAt, request: request.id },
        });
      }
    }

    let mailId: number;
    if (known && known.state === 'active') {
      mailId = (await queueMail(trx, grantedMail(config, request.id, user.email, items, sponsor))).id;
    } else {
      // A placeholder hash nobody holds the token for; the real token is minted when the mail goes out.
      const { hash } = newToken();
      const expiresAt = new Date(stamp + config.invitationTtlHours * 3600 * 1000).toISOString();
      const invitationId = await insertInvitation(trx, {
        email: request.requester_email,
        user_id: user.id,
        request_id: request.id,
        invited_by: request.decided_by,
        redirect_url: null,
        message: null,
        token_hash: hash,
        expires_at: expiresAt,
      });
      await appendAudit(trx, ctx, {
        action: 'invitation.created',
        target: `invitation:${invitationId}`,
        details: { email: request.requester_email, user: user.id, request: request.id, expiresAt },
      });
      mailId = (await queueMail(trx, invitationMail(config, { id: invitationId, email: request.requester_email, expiresAt }, items, sponsor))).id;
    }

    await transitionRequest(trx, request.id, ['approved'], {
      status: 'provisioned',
      guest_user_id: user.id,
      provisioned_at: new Date().toISOString(),
    });
    await appendAudit(trx, ctx, { action: 'request.provisioned', target: `request:${request.id}`, details: { user: user.id } });
    await addOutbox(trx, 'mail.send', { mailId });
    return 'provisioned';
  });
}
