import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { decidedItemsOf, findRequest, isApproverOf, recordItemDecisions, transitionRequest } from '../db/requests.ts';
import { addOutbox } from '../db/outbox.ts';
import { queueSystemMail } from '../mail/send.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import type { AccessRequest } from '../db/rows.ts';
import { recordRefusal } from './recordRefusal.ts';
import { stillApproverOf } from './routeToApprovers.ts';
import { deniedMail } from '../mail/templates.ts';
import { checkDay, earliestAccessDay, latestGrantableDay } from '../domain/accessDates.ts';
import { untilError } from './submitRequest.ts';

export interface Decision {
  decision: 'approve' | 'deny';
  reason: string;
  /**
   * The items to approve, when the decider chose among them (an approval then denies the others);
   * absent: all of them. Ids that are not the request's are refused.
   */
  approvedItemIds?: number[];
  /** A last day of access earlier than the one asked (YYYY-MM-DD); absent or empty: as asked. */
  accessUntil?: string;
}

/** What an approval grants: which items, which are denied, until when; a bad choice is a 400 naming its field. */
function approvalOf(request: AccessRequest, items: { id: number; name: string; max_days: number | null }[], d: Decision, now = Date.now()) {
  const chosen = d.approvedItemIds ?? items.map((i) => i.id);
  if (chosen.some((id) => !items.some((i) => i.id === id))) throw invalid('errors.invalidForm', { items: 'choices.errors.notOfRequest' });
  const approved = items.filter((i) => chosen.includes(i.id));
  const denied = items.filter((i) => !chosen.includes(i.id));
  if (approved.length === 0) throw invalid('errors.invalidForm', { items: 'choices.errors.noneApproved' });
  if (denied.length > 0 && !d.reason.trim()) throw invalid('errors.invalidForm', { reason: 'choices.errors.reasonForDenied' });
  // A day asked for that has passed while the request waited grants what the items allow from now.
  const asked = request.requested_until && request.requested_until >= earliestAccessDay(now) ? request.requested_until : null;
  let until = asked;
  if (d.accessUntil) {
    // A sponsor may shorten the access, never lengthen it past what was asked (or the items allow).
    const max = latestGrantableDay(asked, approved, now);
    const problem = checkDay(d.accessUntil, { min: earliestAccessDay(now), max });
    if (problem) throw untilError(problem === 'beyond' ? 'choices.errors.until.beyondAsked' : `choices.errors.until.${problem}`, max);
    until = d.accessUntil;
  }
  return { approved, denied, until };
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
  const items = await decidedItemsOf(db, requestId);
  const approval = d.decision === 'approve' ? approvalOf(request, items, d) : null;
  await inTransaction(db, async (trx) => {
    const stamp = new Date().toISOString();
    // First decision wins: the update only matches while the request is still pending.
    const won = await transitionRequest(trx, requestId, ['pending'], {
      status: approval ? 'approved' : 'denied',
      decided_by: by.userId,
      decided_by_client: by.clientId,
      decision_reason: d.reason.trim() || null,
      decided_at: stamp,
      ...(approval && { granted_until: approval.until }),
    });
    if (!won) throw conflict('errors.alreadyDecided');
    await recordItemDecisions(trx, requestId, approval ? approval.approved.map((i) => i.id) : []);
    const reason = d.reason.trim() ? { reason: d.reason.trim() } : {};
    await appendAudit(trx, ctx, {
      action: approval ? 'request.approved' : 'request.denied',
      target: `request:${requestId}`,
      details: approval
        ? {
            ...reason,
            approvedItems: approval.approved.map((i) => i.name),
            deniedItems: approval.denied.map((i) => i.name),
            accessUntil: approval.until,
            ...(approval.until !== (request.requested_until ?? null) && { requestedUntil: request.requested_until ?? null }),
          }
        : reason,
    });
    if (approval) {
      // The provisioning job grants the approved items only, until the day granted; the invitation
      // (or "access ready") mail it sends lists them.
      await addOutbox(trx, 'request.approved', { requestId });
    } else {
      await queueSystemMail(trx, deniedMail(config, request, d.reason.trim(), items));
    }
  });
}
