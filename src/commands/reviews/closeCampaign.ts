// A campaign's deadline, acted on once (the closing is a conditional update: two workers, one close).
// In the same transaction: the unanswered rows get the campaign's default, every "remove" is applied
// through the admin's own removal of a membership (audited each, the apps told), and a recurring
// campaign gets its next instance, scheduled (the sweep opens it when it starts).
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findCampaign, insertCampaign, markClosed, markOpened } from '../../db/reviews.ts';
import { applyDefault, markApplied, removalsToApply } from '../../db/reviewRows.ts';
import { nowIso, now } from '../../domain/clock.ts';
import { nextOccurrence, reminderTime } from '../../domain/reviews.ts';
import { removeMembershipIn } from '../admin/guests/removeMembership.ts';
import { openRows } from './openCampaign.ts';

/** False when the campaign was not open and past its deadline (another worker closed it). */
export async function closeCampaign(deps: Deps, ctx: AuditContext, campaignId: number): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const at = nowIso();
    if (!(await markClosed(trx, campaignId, at))) return false;
    const campaign = (await findCampaign(trx, campaignId))!;
    const defaulted = await applyDefault(trx, campaignId, campaign.default_decision, at);
    // Each defaulted row by id, as review.decided names the answered ones: every decision is audited.
    await appendAudit(trx, ctx, { action: 'review.closed', target: `review:${campaignId}`, details: { default: campaign.default_decision, defaulted: defaulted.length, rows: defaulted } });
    const removals = await removalsToApply(trx, campaignId);
    let removed = 0;
    for (const row of removals) {
      const done = await removeMembershipIn(trx, ctx, row.guest_id, row.item_id, row.item_name, { review: campaignId, reviewRow: row.id });
      await markApplied(trx, row.id, done ? 'removed' : 'gone', at);
      if (done) removed++;
    }
    if (removals.length) {
      await appendAudit(trx, ctx, {
        action: 'review.applied',
        target: `review:${campaignId}`,
        details: { removed, alreadyGone: removals.length - removed, rows: removals.map((r) => r.id) },
      });
    }
    if (campaign.recurrence_months) {
      const next = nextOccurrence({ startsAt: campaign.starts_at, deadlineAt: campaign.deadline_at }, campaign.recurrence_months, now());
      const id = await insertCampaign(trx, {
        series_id: campaign.series_id ?? campaign.id,
        previous_id: campaign.id,
        name: campaign.name,
        scope: campaign.scope,
        scope_id: campaign.scope_id,
        scope_name: campaign.scope_name,
        recurrence_months: campaign.recurrence_months,
        default_decision: campaign.default_decision,
        status: 'scheduled',
        starts_at: next.startsAt,
        deadline_at: next.deadlineAt,
        remind_at: reminderTime(next.startsAt, next.deadlineAt),
        created_by: campaign.created_by,
        created_at: at,
      });
      await appendAudit(trx, ctx, { action: 'review.scheduled', target: `review:${id}`, details: { previous: campaignId, startsAt: next.startsAt, deadline: next.deadlineAt } });
    }
    return true;
  });
}

/** A scheduled campaign whose start came: opened once, its rows made and reviewers mailed. */
export async function openScheduledCampaign(deps: Deps, ctx: AuditContext, campaignId: number): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const at = nowIso();
    if (!(await markOpened(trx, campaignId, at))) return false;
    const campaign = (await findCampaign(trx, campaignId))!;
    await openRows(deps, trx, ctx, campaign, at);
    return true;
  });
}
