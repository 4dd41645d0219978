// What the request pages say of a request's approval stages: the stage it waits on (and who comes
// next, or who approved stage 1), the items the current stage decides, and the decisions taken so far
// (who, when, what). Read-only; the decisions themselves are in src/commands/decideRequest.ts.
import type { Db, Tx } from '../db/knex.ts';
import type { AccessRequest } from '../db/rows.ts';
import type { DecidedItem, RequestView } from '../db/requests.ts';
import { stageDecisionsOf, type StageDecision } from '../db/stages.ts';
import { needsSecondStage, secondStageDeciders } from '../domain/stages.ts';
import { findUserById } from '../db/users.ts';

export interface StageView {
  /** Null for a single-stage request. */
  stage: { current: number; of: number; next: 'owners' | 'admins' | null; approvedBy: string | null; byPolicy: boolean; approvedAt: string | null } | null;
  /** The items the current stage decides (all of them at stage 1; those waiting on it at stage 2). */
  decidable: DecidedItem[];
  /** At stage 2: items approved at stage 1 that need no second approval, granted with the rest at the end. */
  kept: DecidedItem[];
  /** Decisions so far, oldest first: each stage that approved, then the final decision. */
  decisions: (StageDecision & { final: boolean; status: 'approved' | 'denied' })[];
}

const open = (r: Pick<AccessRequest, 'status'>) => r.status === 'pending' || r.status === 'info_requested';

export async function stageView(db: Db | Tx, request: RequestView, items: DecidedItem[]): Promise<StageView> {
  const current = request.stage ?? 1;
  const past = await stageDecisionsOf(db, request.id);
  const twoStage = current >= 2 || past.length > 0 || (open(request) && items.some(needsSecondStage));
  const first = past.find((d) => d.stage === 1);
  const decisions: StageView['decisions'] = past.map((d) => ({ ...d, final: false, status: 'approved' }));
  if (twoStage && request.decided_at && (request.status === 'approved' || request.status === 'denied' || request.status === 'provisioned' || request.status === 'failed')) {
    const decider = request.decided_by ? await findUserById(db, request.decided_by) : undefined;
    const finalItems = items.filter((i) => i.decision === 'approved').map((i) => i.name);
    decisions.push({
      stage: current,
      at: request.decided_at,
      by: decider?.display_name ?? null,
      byPolicy: false,
      approvedItems: request.status === 'denied' ? [] : finalItems,
      deniedItems: items.filter((i) => i.decision === 'denied').map((i) => i.name),
      final: true,
      status: request.status === 'denied' ? 'denied' : 'approved',
    });
  }
  return {
    stage: twoStage
      ? { current, of: 2, next: current < 2 ? secondStageDeciders(items) : null, approvedBy: first?.by ?? null, byPolicy: first?.byPolicy ?? false, approvedAt: first?.at ?? null }
      : null,
    decidable: current >= 2 && open(request) ? items.filter((i) => i.decision === null) : items,
    kept: current >= 2 && open(request) ? items.filter((i) => i.decision === 'approved') : [],
    decisions,
  };
}
