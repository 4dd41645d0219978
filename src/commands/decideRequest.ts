import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { decidedItemsOf, findRequest, recordItemDecisions } from '../db/requests.ts';
import { approverStageOf, transitionAtStage } from '../db/stages.ts';
import { findUserById } from '../db/users.ts';
import { nowIso } from '../domain/clock.ts';
import { LAST_STAGE, needsSecondStage } from '../domain/stages.ts';
import { addOutbox } from '../db/outbox.ts';
import { queueSystemMail } from '../mail/send.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import type { AccessRequest } from '../db/rows.ts';
import { recordRefusal } from './recordRefusal.ts';
import { stillApproverOf } from './routeToApprovers.ts';
import { sendOnToStageTwo } from './advanceStage.ts';
import { deniedMail } from '../mail/templates.ts';
import { checkDay, earliestAccessDay, latestGrantableDay } from '../domain/accessDates.ts';
import { untilError } from './submitRequest.ts';
import { now as clockNow } from '../domain/clock.ts';

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
function approvalOf<I extends { id: number; name: string; max_days: number | null }>(request: AccessRequest, items: I[], d: Decision, now = clockNow()) {
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

/**
 * Whether this member or API client gave the first approval of a request now waiting on its second:
 * then the second is not theirs to give (separation of duties), admin or not.
 */
export function gaveFirstApproval(request: Pick<AccessRequest, 'status' | 'stage' | 'stage1_decided_by' | 'stage1_decided_by_client'>, by: { userId: number | null; clientId: number | null }): boolean {
  if (request.status !== 'pending' || (request.stage ?? 1) < 2) return false;
  const same = (a: number | null | undefined, b: number | null) => a !== null && a !== undefined && b !== null && Number(a) === Number(b);
  return same(request.stage1_decided_by, by.userId) || same(request.stage1_decided_by_client, by.clientId);
}

/** Refuses (403, audited like a decision on the wrong stage) a second approval by the first's giver. */
async function refuseSecondByFirst(db: Deps['db'], ctx: AuditContext, request: AccessRequest, by: { userId: number | null; clientId: number | null }): Promise<void> {
  if (!gaveFirstApproval(request, by)) return;
  await recordRefusal(db, ctx, 'request.decide', `request:${request.id}`, 'gave the first approval, the second must come from someone else');
  throw forbidden('stages.errors.sameDecider');
}

export async function decideRequest(deps: Deps, ctx: AuditContext, p: Principal, requestId: number, d: Decision): Promise<void> {
  const { db } = deps;
  const request = await findRequest(db, requestId);
  if (!request || !p.userId) throw notFound();
  // Said apart from "not routed to you": a sponsor who also owns the item is not routed for stage 2.
  await refuseSecondByFirst(db, ctx, request, { userId: p.userId, clientId: null });
  // Routed to them once is not enough: they must still be one the routing rule names (a sponsor
  // the admin removed from the organization since keeps the row, not the right to decide), and for
  // the stage the request waits on (stage 1's sponsor does not give stage 2's approval, nor the reverse).
  const isApprover = (await stillApproverOf(db, p.userId, [request])).has(requestId);
  if (!can(p, 'request:decide', { request, isApprover })) {
    const own = request.requester_email.toLowerCase() === p.email.toLowerCase();
    const routedFor = own ? undefined : await approverStageOf(db, requestId, p.userId);
    const stage = request.stage ?? 1;
    if (routedFor !== undefined && routedFor !== stage && request.status !== 'pending') throw conflict('errors.alreadyDecided');
    const otherStage = routedFor !== undefined && routedFor !== stage;
    const stale = routedFor !== undefined && !otherStage;
    await recordRefusal(
      db,
      ctx,
      'request.decide',
      `request:${requestId}`,
      own ? 'self-approval' : otherStage ? `routed for stage ${routedFor}, the request waits on stage ${stage}` : stale ? 'no longer an approver of this request' : 'not routed to this sponsor',
    );
    throw forbidden(own ? 'errors.selfApproval' : otherStage ? `stages.errors.stage${stage}` : stale ? 'inbox.errors.noLongerApprover' : 'errors.notYourRequest');
  }
  await applyDecision(deps, ctx, request, d, { userId: p.userId, clientId: null });
}

/**
 * Records a decision already authorized (a routed sponsor, an owner, an admin or an API client with
 * AccessRequest.ReadWrite.All) on the stage the request waits on: the first decision wins, a second
 * gets 409.
 *
 * Two stages: stage 1 decides every item as it always did. Its approved items that ask for a second
 * approval (src/domain/stages.ts) send the request on to stage 2, still pending: routed to stage 2's
 * approvers, who decide those items. Items stage 1 approved that need no second stage are granted with
 * the rest only when stage 2 approves, not at once: one request gets one decision, one decision mail
 * and one invitation (a guest invited twice for one request, or told "approved" and then "denied",
 * would be worse than waiting a few days). A denial at either stage ends the request and grants
 * nothing; a partial approval at stage 2 denies the stage-2 items it leaves out, with a reason, as a
 * partial approval at stage 1 does.
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
  // An admin or an API client may decide any stage, but not both of one request.
  await refuseSecondByFirst(db, ctx, request, by);
  if (d.decision === 'deny' && !d.reason.trim()) {
    throw invalid('errors.invalidForm', { reason: 'inbox.errors.reasonRequired' });
  }
  // Decided already (or waiting on the requester): nothing to choose among. The conditional update
  // below still decides a race between two deciders who both read it pending.
  if (request.status !== 'pending') throw conflict('errors.alreadyDecided');
  const stage = request.stage ?? 1;
  const items = await decidedItemsOf(db, requestId);
  // At stage 2 the decision is on the items waiting for it (undecided); stage 1's say on the others stands.
  const deciding = stage >= 2 ? items.filter((i) => i.decision === null) : items;
  const kept = stage >= 2 ? items.filter((i) => i.decision === 'approved') : [];
  const deniedBefore = stage >= 2 ? items.filter((i) => i.decision === 'denied') : [];
  // Stage 2 may shorten the access stage 1 granted, not lengthen it.
  const asked = stage >= 2 ? { ...request, requested_until: request.granted_until ?? null } : request;
  const approval = d.decision === 'approve' ? approvalOf(asked, deciding, d) : null;
  const nextStage = approval && stage < LAST_STAGE ? approval.approved.filter(needsSecondStage) : [];
  const reasonText = d.reason.trim();
  const decidedBy = by.userId ? ((await findUserById(db, by.userId))?.display_name ?? null) : ctx.actor.label;
  await inTransaction(db, async (trx) => {
    const stamp = nowIso();
    const reason = reasonText ? { reason: reasonText } : {};
    if (approval && nextStage.length > 0) {
      const moved = await sendOnToStageTwo(trx, config, ctx, request, {
        approved: approval.approved,
        denied: approval.denied,
        nextStage,
        until: approval.until,
        reason: reasonText,
        decidedBy,
        by,
      });
      if (!moved) throw conflict('errors.alreadyDecided');
      return;
    }
    const approvedIds = approval ? [...kept, ...approval.approved].map((i) => i.id) : [];
    const deniedNames = approval ? [...deniedBefore, ...approval.denied].map((i) => i.name) : [];
    // First decision wins: the update only matches while the request is still pending at this stage.
    const won = await transitionAtStage(trx, requestId, stage, {
      status: approval ? 'approved' : 'denied',
      decided_by: by.userId,
      decided_by_client: by.clientId,
      // Approving at stage 2, the partner is told why stage 1 left items out as well as stage 2.
      decision_reason: (approval && stage >= 2 ? [request.decision_reason, reasonText].filter(Boolean).join('\n\n') : reasonText) || null,
      decided_at: stamp,
      ...(approval && { granted_until: approval.until }),
    });
    if (!won) throw conflict('errors.alreadyDecided');
    await recordItemDecisions(trx, requestId, approvedIds);
    await appendAudit(trx, ctx, {
      action: approval ? 'request.approved' : 'request.denied',
      target: `request:${requestId}`,
      details: {
        ...(stage >= 2 && { stage, decidedBy }),
        ...(approval
          ? {
              ...reason,
              approvedItems: [...kept, ...approval.approved].map((i) => i.name),
              deniedItems: deniedNames,
              accessUntil: approval.until,
              ...(approval.until !== (request.requested_until ?? null) && { requestedUntil: request.requested_until ?? null }),
            }
          : reason),
      },
    });
    if (approval) {
      // The provisioning job grants the approved items only, until the day granted; the invitation
      // (or "access ready") mail it sends lists them.
      await addOutbox(trx, 'request.approved', { requestId });
    } else {
      await queueSystemMail(trx, deniedMail(config, request, reasonText, items));
    }
  });
}
