// Reviewers with unanswered rows are reminded by mail, with the page where they answer: when an
// admin asks (each press counted once: a second press of the same page is refused), and once
// automatically a few days before the deadline (the sweep). Audited either way.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction, type Tx } from '../../db/knex.ts';
import { countReminder, findCampaign, markAutoReminded, type Campaign } from '../../db/reviews.ts';
import { reviewersWithUndecided } from '../../db/reviewRows.ts';
import { listAdmins } from '../../db/users.ts';
import { nowIso } from '../../domain/clock.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { queueSystemMail } from '../../mail/send.ts';
import { reviewReminderMail } from '../../mail/templates.ts';
import { reviewersToMail } from './reviewers.ts';

async function mailSlowReviewers(deps: Deps, trx: Tx, campaign: Campaign, round: string): Promise<string[]> {
  const undecided = await reviewersWithUndecided(trx, campaign.id);
  const counts = new Map(undecided.map((u) => [u.reviewerId, u.undecided]));
  const admins = counts.has(null) ? await listAdmins(trx) : [];
  const link = `${deps.config.publicUrl}/reviews/${campaign.id}`;
  const mailed: string[] = [];
  for (const { user, count } of await reviewersToMail(trx, counts, admins)) {
    await queueSystemMail(trx, reviewReminderMail({ id: campaign.id, name: campaign.name, deadlineAt: campaign.deadline_at }, user, count, round, link));
    mailed.push(user.email);
  }
  return mailed;
}

/** An admin's reminder; `seen` is how many reminders the admin's page showed (a double press sends one). */
export async function remindReviewers(deps: Deps, ctx: AuditContext, campaignId: number, seen: number): Promise<number> {
  const campaign = await findCampaign(deps.db, campaignId);
  if (!campaign) throw notFound();
  return inTransaction(deps.db, async (trx) => {
    if (!(await countReminder(trx, campaignId, seen))) throw conflict('reviews.errors.remindConflict');
    const mailed = await mailSlowReviewers(deps, trx, campaign, String(seen + 1));
    await appendAudit(trx, ctx, { action: 'review.reminded', target: `review:${campaignId}`, details: { automatic: false, reviewers: mailed } });
    return mailed.length;
  });
}

/** The automatic reminder of one campaign, once; false when another sweep sent it. */
export async function remindAutomatically(deps: Deps, ctx: AuditContext, campaignId: number): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    if (!(await markAutoReminded(trx, campaignId, nowIso()))) return false;
    const campaign = (await findCampaign(trx, campaignId))!;
    const mailed = await mailSlowReviewers(deps, trx, campaign, 'auto');
    await appendAudit(trx, ctx, { action: 'review.reminded', target: `review:${campaignId}`, details: { automatic: true, reviewers: mailed } });
    return true;
  });
}
