// A request's first approval, when its approved items ask for a second one: the request stays pending
// and moves on to stage 2, in the caller's transaction (a sponsor's decision, or the organization's
// auto-approve policy at submission, which gives the first approval only).
import type { Config } from '../config.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { AccessRequest } from '../db/rows.ts';
import { recordStageOneItems, transitionAtStage } from '../db/stages.ts';
import { findRequest, markRouted } from '../db/requests.ts';
import { nowIso } from '../domain/clock.ts';
import { routeToStageTwo } from './routeToApprovers.ts';

interface Named {
  id: number;
  name: string;
}

export interface StageApproval {
  /** Every item the stage approved (those needing a second approval among them). */
  approved: Named[];
  denied: Named[];
  /** The approved items that wait on stage 2. */
  nextStage: Named[];
  until: string | null;
  reason: string;
  /** The approver's name (or an API client's); null with byPolicy. */
  decidedBy: string | null;
  /** Who gave it, a member or an API client (absent with byPolicy): they do not give stage 2's. */
  by?: { userId: number | null; clientId: number | null };
  byPolicy?: boolean;
}

/** Returns false when the request was no longer pending at stage 1 (another decision came first). */
export async function sendOnToStageTwo(
  trx: Tx,
  config: Config,
  ctx: AuditContext,
  request: Pick<AccessRequest, 'id' | 'requester_name' | 'requester_email' | 'justification'> & { organization_name?: string | null; stage?: number },
  a: StageApproval,
): Promise<boolean> {
  const stage = request.stage ?? 1;
  const stamp = nowIso();
  // Still pending, its time-outs counted afresh from now (the reminder sweep counts from clock_from,
  // per stage), the date granted so far kept for stage 2 to confirm or shorten.
  const won = await transitionAtStage(trx, request.id, stage, {
    stage: stage + 1,
    clock_from: stamp,
    reminded_at: null,
    escalated_at: null,
    granted_until: a.until,
    decision_reason: a.reason || null,
    ...(stage === 1 && { stage1_decided_by: a.by?.userId ?? null, stage1_decided_by_client: a.by?.clientId ?? null }),
  });
  if (!won) return false;
  // Stage 1 is done: a request approved at submission (by policy) is never left for the routing sweep.
  await markRouted(trx, request.id);
  const waiting = new Set(a.nextStage.map((i) => i.id));
  await recordStageOneItems(trx, request.id, a.approved.filter((i) => !waiting.has(i.id)).map((i) => i.id), [...waiting]);
  // The routing mail names the partner's organization: read it when the caller's row does not carry it.
  const organization = request.organization_name !== undefined ? request.organization_name : ((await findRequest(trx, request.id))?.organization_name ?? null);
  const approvers = await routeToStageTwo(trx, config, { ...request, organization_name: organization });
  await appendAudit(trx, ctx, {
    action: 'request.stage_approved',
    target: `request:${request.id}`,
    details: {
      stage,
      decidedBy: a.decidedBy,
      ...(a.byPolicy && { byPolicy: true }),
      ...(a.reason && { reason: a.reason }),
      approvedItems: a.approved.map((i) => i.name),
      deniedItems: a.denied.map((i) => i.name),
      nextStageItems: a.nextStage.map((i) => i.name),
      accessUntil: a.until,
      approvers: approvers.map((u) => u.email),
    },
  });
  return true;
}
