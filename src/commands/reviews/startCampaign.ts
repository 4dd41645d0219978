// An admin starts an access review: the campaign opens at once (its rows made, its reviewers mailed),
// in one transaction with its audit event.
import type { Deps } from '../../deps.ts';
import type { AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findCampaign, findOpenTwin, insertCampaign } from '../../db/reviews.ts';
import { findItem } from '../../db/catalog.ts';
import { findOrgById } from '../../db/organizations.ts';
import { nowIso } from '../../domain/clock.ts';
import { invalid } from '../../domain/errors.ts';
import { deadlineProblem, reminderTime, type ReviewDecision, type ReviewScope } from '../../domain/reviews.ts';
import { openRows } from './openCampaign.ts';

export interface CampaignInput {
  name: string;
  scope: ReviewScope;
  scopeId: number | null;
  recurrenceMonths: 3 | 6 | 12 | null;
  /** The deadline, an instant (the form sends a day: its end, UTC). */
  deadlineAt: string;
  defaultDecision: ReviewDecision;
}

/**
 * `existing`: an open campaign with the same name, scope and deadline was there already (the form
 * sent twice): nothing is started again, nobody mailed twice, and its id is given back.
 */
export async function startCampaign(deps: Deps, ctx: AuditContext, input: CampaignInput, createdBy: number): Promise<{ id: number; rows: number; existing?: true }> {
  const at = nowIso();
  const fields: Record<string, string> = {};
  const deadline = deadlineProblem(input.deadlineAt, Date.parse(at));
  if (deadline) fields.deadline = deadline;
  let scopeName: string | null = null;
  if (input.scope === 'organization') {
    const org = input.scopeId ? await findOrgById(deps.db, input.scopeId) : undefined;
    if (!org) fields.organization = 'reviews.errors.organization';
    scopeName = org?.name ?? null;
  } else if (input.scope === 'item') {
    const item = input.scopeId ? await findItem(deps.db, input.scopeId) : undefined;
    if (!item) fields.item = 'reviews.errors.item';
    scopeName = item?.name ?? null;
  }
  if (Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const scopeId = input.scope === 'all' ? null : input.scopeId;
  return inTransaction(deps.db, async (trx) => {
    const twin = await findOpenTwin(trx, { name: input.name, scope: input.scope, scope_id: scopeId, deadline_at: input.deadlineAt });
    if (twin !== undefined) return { id: twin, rows: 0, existing: true as const };
    const id = await insertCampaign(trx, {
      series_id: null,
      previous_id: null,
      name: input.name,
      scope: input.scope,
      scope_id: scopeId,
      scope_name: scopeName,
      recurrence_months: input.recurrenceMonths,
      default_decision: input.defaultDecision,
      status: 'open',
      starts_at: at,
      deadline_at: input.deadlineAt,
      remind_at: reminderTime(at, input.deadlineAt),
      created_by: createdBy,
      created_at: at,
      opened_at: at,
    });
    const campaign = (await findCampaign(trx, id))!;
    const rows = await openRows(deps, trx, ctx, campaign, at);
    return { id, rows };
  });
}
