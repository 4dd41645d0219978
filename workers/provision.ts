// Turns an approved request into a guest user, memberships and an invitation, in one transaction,
// and queues the mail last. A rerun finds the request already provisioned and does nothing.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { appendAudit } from '../src/db/audit.ts';
import { inTransaction } from '../src/db/knex.ts';
import { approvedItemsOf, findRequest, transitionRequest } from '../src/db/requests.ts';
import { decisionOfRequest } from '../src/mail/decision.ts';
import { renameGuest } from '../src/commands/renameGuest.ts';
import { findUserById, findUserByIdentity } from '../src/db/users.ts';
import { inviteGuest } from '../src/commands/inviteGuest.ts';
import { t } from '../src/i18n/t.ts';
import { faultPoint } from '../src/faults.ts';
import { now, nowIso } from '../src/domain/clock.ts';

export async function provisionRequest(deps: Deps, ctx: AuditContext, data: { requestId: number }): Promise<'provisioned' | 'skipped'> {
  const { db, config } = deps;
  return inTransaction(db, async (trx) => {
    const request = await findRequest(trx, data.requestId);
    if (!request || request.status !== 'approved') return 'skipped';
    const decider = request.decided_by ? await findUserById(trx, request.decided_by) : undefined;
    // Someone who already redeemed an invitation is known by identity: no new invitation for them.
    const known = await findUserByIdentity(trx, request.requester_issuer, request.requester_subject);
    // Only the items approved, until the day granted. Her mail says, in her language, what was
    // approved, what was denied and why, and when her access ends: details of the decision, not words
    // put in a sponsor's personal message.
    const result = await inviteGuest(trx, config, ctx, {
      email: request.requester_email,
      displayName: request.requester_name,
      items: await approvedItemsOf(trx, request.id),
      accessUntil: request.granted_until ?? null,
      decision: await decisionOfRequest(trx, request, now()),
      invitedBy: request.decided_by,
      // Approved by the organization's policy: said in the partner's language, decided when the mail is.
      sponsorName: decider?.display_name ?? ((lang) => t('mail.byPolicy', {}, lang)),
      source: 'request',
      requestId: request.id,
      knownUser: known?.state === 'active' ? known : undefined,
      // Access counts from the decision, not from the request, nor from when this job ran.
      grantedAt: request.decided_at ? Date.parse(request.decided_at) : now(),
      extension: request.extension_of != null,
    });
    // The name she gave on the request is hers: kept over her IdP's at her later sign-ins.
    if (!known) await renameGuest(trx, ctx, result.user.id, request.requester_name);
    await faultPoint(config, 'provision.in-transaction');
    await faultPoint(config, 'provision.in-transaction.block');
    await transitionRequest(trx, request.id, ['approved'], {
      status: 'provisioned',
      guest_user_id: result.user.id,
      provisioned_at: nowIso(),
    });
    await appendAudit(trx, ctx, { action: 'request.provisioned', target: `request:${request.id}`, details: { user: result.user.id } });
    return 'provisioned';
  });
}
