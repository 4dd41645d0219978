// A reviewer answers rows of an open campaign: keep, or remove with a reason. One transaction, one
// audit event for the batch with the rows' ids. Only the rows' own reviewer answers them (an admin
// answers the rows given to the admins); anyone else is refused, and the refusal audited.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findCampaign, holdOpenCampaign } from '../../db/reviews.ts';
import { recordDecision, rowsOfCampaign } from '../../db/reviewRows.ts';
import { nowIso } from '../../domain/clock.ts';
import { conflict, forbidden, invalid, notFound } from '../../domain/errors.ts';
import { mayAnswer, reasonProblem, type ReviewDecision } from '../../domain/reviews.ts';

export interface Reviewer {
  userId: number;
  isAdmin: boolean;
}

export async function decideReviewRows(
  deps: Deps,
  ctx: AuditContext,
  campaignId: number,
  who: Reviewer,
  rowIds: number[],
  decision: ReviewDecision,
  reasonText: string,
): Promise<number> {
  const campaign = await findCampaign(deps.db, campaignId);
  if (!campaign) throw notFound();
  const ids = [...new Set(rowIds)];
  if (!ids.length) throw invalid('reviews.errors.noRows', { rows: 'reviews.errors.noRows' });
  const rows = await rowsOfCampaign(deps.db, campaignId, ids);
  if (rows.length !== ids.length) throw notFound();
  const foreign = rows.filter((r) => !mayAnswer(r, who.userId, who.isAdmin)).map((r) => r.id);
  if (foreign.length) {
    await inTransaction(deps.db, (trx) =>
      appendAudit(trx, ctx, { action: 'review.decide', target: `review:${campaignId}`, outcome: 'denied', details: { reason: 'rows of another reviewer', rows: foreign.slice(0, 200) } }),
    );
    throw forbidden('reviews.errors.notYours');
  }
  const reason = reasonText.trim();
  const problem = reasonProblem(decision, reason);
  if (problem) throw invalid(problem, { reason: problem });
  if (campaign.status !== 'open') throw conflict('reviews.errors.notOpen');
  return inTransaction(deps.db, async (trx) => {
    if (!(await holdOpenCampaign(trx, campaignId))) throw conflict('reviews.errors.notOpen');
    const n = await recordDecision(trx, ids, { decision, reason: reason || null, by: who.userId, at: nowIso() });
    await appendAudit(trx, ctx, { action: 'review.decided', target: `review:${campaignId}`, details: { decision, ...(reason && { reason }), count: n, rows: ids } });
    return n;
  });
}
