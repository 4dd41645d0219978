// What opening a campaign does, whether an admin starts it now or the sweep opens a scheduled one:
// one row per guest membership in scope, each given its reviewer by the rule, each reviewer mailed
// once with the page where they answer, and the start audited — in the caller's transaction.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import type { Tx } from '../../db/knex.ts';
import { type Campaign } from '../../db/reviews.ts';
import { insertRows, type NewRow } from '../../db/reviewRows.ts';
import { membershipsInScope } from '../../db/reviewScope.ts';
import { listAdmins } from '../../db/users.ts';
import { assignReviewer } from '../../domain/reviews.ts';
import { queueSystemMail } from '../../mail/send.ts';
import { reviewAssignedMail } from '../../mail/templates.ts';
import { reviewersToMail } from './reviewers.ts';

export async function openRows(deps: Deps, trx: Tx, ctx: AuditContext, campaign: Campaign, at: string): Promise<number> {
  const scoped = await membershipsInScope(trx, campaign.scope, campaign.scope_id, at);
  const rows: NewRow[] = scoped.map((m) => {
    const { kind, reviewerId } = assignReviewer(m.sponsorIds, m.ownerIds);
    return {
      campaign_id: campaign.id,
      guest_id: m.guest_id,
      guest_name: m.guest_name,
      guest_email: m.guest_email,
      organization_name: m.organization_name,
      item_id: m.item_id,
      item_name: m.item_name,
      membership_expires_at: m.expires_at,
      search_text: [m.guest_name, m.guest_email, m.organization_name ?? '', m.item_name].join(' ').toLowerCase().slice(0, 1000),
      reviewer_kind: kind,
      reviewer_id: reviewerId,
    };
  });
  await insertRows(trx, rows);
  const counts = new Map<number | null, number>();
  for (const r of rows) counts.set(r.reviewer_id, (counts.get(r.reviewer_id) ?? 0) + 1);
  const link = `${deps.config.publicUrl}/reviews/${campaign.id}`;
  const mailed: string[] = [];
  const admins = counts.has(null) ? await listAdmins(trx) : [];
  for (const { user, count } of await reviewersToMail(trx, counts, admins)) {
    await queueSystemMail(trx, reviewAssignedMail({ id: campaign.id, name: campaign.name, deadlineAt: campaign.deadline_at }, user, count, link));
    mailed.push(user.email);
  }
  await appendAudit(trx, ctx, {
    action: 'review.started',
    target: `review:${campaign.id}`,
    details: {
      name: campaign.name,
      scope: campaign.scope,
      ...(campaign.scope_id !== null && { scopeId: campaign.scope_id, scopeName: campaign.scope_name }),
      deadline: campaign.deadline_at,
      default: campaign.default_decision,
      ...(campaign.recurrence_months && { everyMonths: campaign.recurrence_months }),
      rows: rows.length,
      toAdmins: counts.get(null) ?? 0,
      reviewers: mailed,
    },
  });
  return rows.length;
}
