import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findRequest, isApproverOf, transitionRequest } from '../db/requests.ts';
import { itemsOfRequest } from '../db/catalog.ts';
import { addOutbox } from '../db/outbox.ts';
import { queueSystemMail } from '../mail/send.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import type { AccessRequest } from '../db/rows.ts';
import { recordRefusal } from './recordRefusal.ts';
import { stillApproverOf } from './routeToApprovers.ts';
import { deniedMail } from '../mail/templates.ts';

export interface Decision {
  decision: 'approve' | 'deny';
  reason: string;
}

export async function decideRequest(deps: Deps, ctx: AuditContext, p: Principal, requestId: number, d: Decision): Promise<void> {
  const { db, config } = deps;
  const request = await findRequest(db, requestId);
  if (!request || !p.userId) throw notFound();
  // Routed to them once is not enough: they must still be one the routing rule names (a sponsor
  // the admin removed from the organization since keeps the row, not the right to decide).
  const isApprover = (await stillApproverOf(db, p.userId, [request])).has(requestId);
  if (!can(p, 'request:decide', { request, isApprover })) {
    const own = request.requester_email.toLowerCase() === p.email.toLowerCase();
    const stale = !own && (await isApproverOf(db, requestId, p.userId));
    await recordRefusal(db, ctx, 'request.decide', `request:${requestId}`, own ? 'self-approval' : stale ? 'no longer an approver of this request' : 'not routed to this sponsor');
    throw forbidden(own ? 'errors.selfApproval' : stale ? 'inbox.errors.noLongerApprover' : 'errors.notYourRequest');
  }
  await applyDecision(deps, ctx, request, d, { userId: p.userId, clientId: null });
}

/**
 * Records a decision already authorized (a routed sponsor, an owner, an admin or an API client with
 * AccessRequest.ReadWrite.All): the first decision wins, a second gets 409.
 */
export async function applyDecision(
  deps: Deps,
  ctx: AuditContext,
  request: AccessRequest,
  d: Decision,
  by: { userId: number | null; clientId: number | null },
): Promise<void> {
  const { db, config } = deps;
  const requestId = request.id;
  if (d.decision === 'deny' && !d.reason.trim()) {
    throw invalid('errors.invalidForm', { reason: 'inbox.errors.reasonRequired' });
  }
  await inTransaction(db, async (trx) => {
    const stamp = new Date().toISOString();
    // First decision wins: the update only matches while the request is still pending.
    const won = await transitionRequest(trx, requestId, ['pending'], {
      status: d.decision === 'approve' ? 'approved' : 'denied',
      decided_by: by.userId,
      decided_by_client: by.clientId,
      decision_reason: d.reason.trim() || null,
      decided_at: stamp,
    });
    if (!won) throw conflict('errors.alreadyDecided');
    await appendAudit(trx, ctx, {
      action: d.decision === 'approve' ? 'request.approved' : 'request.denied',
      target: `request:${requestId}`,
      details: d.reason.trim() ? { reason: d.reason.trim() } : {},
    });
    if (d.decision === 'approve') {
      await addOutbox(trx, 'request.approved', { requestId });
    } else {
      await queueSystemMail(trx, deniedMail(config, request, d.reason.trim(), await itemsOfRequest(trx, requestId)));
    }
  });
}
