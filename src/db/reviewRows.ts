// Access reviews: the rows (one guest membership each), their answers and what was applied.
import type { Knex } from 'knex';
import type { Db, Tx } from './knex.ts';
import type { ReviewDecision, ReviewerKind } from '../domain/reviews.ts';
import { campaignOf, num, type CampaignSummary } from './reviews.ts';

export interface ReviewRow {
  id: number;
  campaign_id: number;
  guest_id: number;
  guest_name: string;
  guest_email: string;
  organization_name: string | null;
  item_id: number;
  item_name: string;
  membership_expires_at: string | null;
  reviewer_kind: ReviewerKind;
  reviewer_id: number | null;
  reviewer_name: string | null;
  reviewer_email: string | null;
  decision: ReviewDecision | null;
  reason: string | null;
  decided_by: number | null;
  decider_name: string | null;
  decider_email: string | null;
  decided_at: string | null;
  defaulted: boolean;
  applied_at: string | null;
  apply_result: 'removed' | 'gone' | null;
}

export type NewRow = Omit<ReviewRow, 'id' | 'reviewer_name' | 'reviewer_email' | 'decision' | 'reason' | 'decided_by' | 'decider_name' | 'decider_email' | 'decided_at' | 'defaulted' | 'applied_at' | 'apply_result'> & { search_text: string };

function rowOf(r: Record<string, unknown>): ReviewRow {
  return {
    ...(r as unknown as ReviewRow),
    id: Number(r.id),
    campaign_id: Number(r.campaign_id),
    guest_id: Number(r.guest_id),
    item_id: Number(r.item_id),
    reviewer_id: num(r.reviewer_id),
    decided_by: num(r.decided_by),
    defaulted: Boolean(r.defaulted),
    reviewer_name: (r.reviewer_name as string | null) ?? null,
    reviewer_email: (r.reviewer_email as string | null) ?? null,
    decider_name: (r.decider_name as string | null) ?? null,
    decider_email: (r.decider_email as string | null) ?? null,
  };
}

/** The reviewer's side of a row: their own rows, and for an admin the rows given to the admins. */
function mine(q: Knex.QueryBuilder, userId: number, isAdmin: boolean, col = 'review_rows.reviewer_id') {
  return q.where((w) => {
    w.where(col, userId);
    if (isAdmin) w.orWhereNull(col);
  });
}

/** The campaigns with rows for this person (open and closed), with their own progress. */
export async function campaignsForReviewer(db: Db | Tx, userId: number, isAdmin: boolean): Promise<CampaignSummary[]> {
  const q = db('review_rows').join('review_campaigns', 'review_campaigns.id', 'review_rows.campaign_id');
  mine(q, userId, isAdmin);
  const counts = (await q
    .groupBy('review_rows.campaign_id')
    .select('review_rows.campaign_id')
    .count({ total: '*' })
    .count({ answered: 'review_rows.decision' })) as Record<string, unknown>[];
  if (!counts.length) return [];
  const campaigns = (await db('review_campaigns').whereIn('id', counts.map((c) => Number(c.campaign_id))).orderBy('id', 'desc')).map(campaignOf);
  const by = new Map(counts.map((c) => [Number(c.campaign_id), c]));
  return campaigns.map((c) => ({ ...c, total: Number(by.get(c.id)!.total), answered: Number(by.get(c.id)!.answered) }));
}

/** Whether this person has any row to review, in any campaign (the navigation shows the link then). */
export async function hasReviewRows(db: Db | Tx, userId: number, isAdmin: boolean): Promise<boolean> {
  return Boolean(await mine(db('review_rows'), userId, isAdmin).first('id'));
}

export async function insertRows(trx: Tx, rows: NewRow[]): Promise<void> {
  // 13 columns a row: chunks stay far below both databases' bound-parameter limits.
  for (let i = 0; i < rows.length; i += 200) await trx('review_rows').insert(rows.slice(i, i + 200));
}

/** Who has rows still unanswered: reviewer id (null: the admins) and how many. */
export async function reviewersWithUndecided(db: Db | Tx, campaignId: number): Promise<{ reviewerId: number | null; undecided: number }[]> {
  const rows = (await db('review_rows').where({ campaign_id: campaignId }).whereNull('decision').groupBy('reviewer_id').select('reviewer_id').count({ n: '*' })) as Record<string, unknown>[];
  return rows.map((r) => ({ reviewerId: num(r.reviewer_id), undecided: Number(r.n) }));
}

export interface ReviewerProgress {
  reviewerId: number | null;
  kind: ReviewerKind;
  name: string | null;
  email: string | null;
  total: number;
  answered: number;
}

/** Answered / total per reviewer, the slowest first. */
export async function progressByReviewer(db: Db | Tx, campaignId: number): Promise<ReviewerProgress[]> {
  const rows = (await db('review_rows')
    .leftJoin('users', 'users.id', 'review_rows.reviewer_id')
    .where({ 'review_rows.campaign_id': campaignId })
    .groupBy('review_rows.reviewer_id', 'review_rows.reviewer_kind', 'users.display_name', 'users.email')
    .select('review_rows.reviewer_id', 'review_rows.reviewer_kind', 'users.display_name', 'users.email')
    .count({ total: '*' })
    .count({ answered: 'review_rows.decision' })) as Record<string, unknown>[];
  return rows
    .map((r) => ({ reviewerId: num(r.reviewer_id), kind: r.reviewer_kind as ReviewerKind, name: (r.display_name as string | null) ?? null, email: (r.email as string | null) ?? null, total: Number(r.total), answered: Number(r.answered) }))
    .sort((a, b) => a.answered / a.total - b.answered / b.total || (a.email ?? '').localeCompare(b.email ?? ''));
}

export interface RowFilter {
  /** Only the rows this person answers (and the admins' rows for an admin); null: every row. */
  reviewer: { userId: number; isAdmin: boolean } | null;
  q: string;
  undecidedOnly: boolean;
}

function filtered(db: Db | Tx, campaignId: number, f: RowFilter) {
  const q = db('review_rows').where('review_rows.campaign_id', campaignId);
  if (f.reviewer) mine(q, f.reviewer.userId, f.reviewer.isAdmin);
  const term = f.q.trim().toLowerCase();
  if (term) {
    for (const word of term.split(/\s+/).slice(0, 5)) q.whereRaw("review_rows.search_text like ? escape '\\'", [`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  }
  if (f.undecidedOnly) q.whereNull('review_rows.decision');
  return q;
}

const ROW_COLUMNS = [
  'review_rows.*',
  'r.display_name as reviewer_name',
  'r.email as reviewer_email',
  'd.display_name as decider_name',
  'd.email as decider_email',
];

/** A page of a campaign's rows (guest, then item), with how many match in all. */
export async function pageOfRows(db: Db | Tx, campaignId: number, f: RowFilter, page: number, size: number): Promise<{ rows: ReviewRow[]; total: number }> {
  const [{ n }] = await filtered(db, campaignId, f).count({ n: '*' });
  const rows = await filtered(db, campaignId, f)
    .leftJoin('users as r', 'r.id', 'review_rows.reviewer_id')
    .leftJoin('users as d', 'd.id', 'review_rows.decided_by')
    .orderBy('review_rows.guest_email')
    .orderBy('review_rows.item_name')
    .orderBy('review_rows.id')
    .limit(size)
    .offset((page - 1) * size)
    .select(ROW_COLUMNS);
  return { rows: rows.map(rowOf), total: Number(n) };
}

/** The ids of every row the filter matches (an "apply to all that match" decision). */
export async function matchingRowIds(db: Db | Tx, campaignId: number, f: RowFilter): Promise<number[]> {
  return (await filtered(db, campaignId, f).orderBy('review_rows.id').select('review_rows.id')).map((r) => Number(r.id));
}

/** Rows of this campaign among `ids` (others are ignored). */
export async function rowsOfCampaign(db: Db | Tx, campaignId: number, ids: number[]): Promise<ReviewRow[]> {
  const out: ReviewRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    out.push(...(await db('review_rows').where({ campaign_id: campaignId }).whereIn('id', ids.slice(i, i + 500)).orderBy('id')).map(rowOf));
  }
  return out;
}

/** Records an answer on rows of an open campaign (the caller holds its lock); a later answer replaces an earlier one. */
export async function recordDecision(trx: Tx, ids: number[], d: { decision: ReviewDecision; reason: string | null; by: number; at: string }): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    n += Number(await trx('review_rows').whereIn('id', ids.slice(i, i + 500)).update({ decision: d.decision, reason: d.reason, decided_by: d.by, decided_at: d.at, defaulted: false }));
  }
  return n;
}

/** Gives the unanswered rows the campaign's default; returns how many. */
/** Gives the unanswered rows the campaign's default; returns their ids (the closing audits each). */
export async function applyDefault(trx: Tx, campaignId: number, decision: ReviewDecision, at: string): Promise<number[]> {
  await trx('review_rows').where({ campaign_id: campaignId }).whereNull('decision').update({ decision, defaulted: true, decided_at: at });
  // Only the closing sets `defaulted`, once per campaign (markClosed is conditional).
  return (await trx('review_rows').where({ campaign_id: campaignId, defaulted: true }).orderBy('id').select('id')).map((r) => Number(r.id));
}

/** The "remove" rows not applied yet. */
export async function removalsToApply(trx: Tx, campaignId: number): Promise<ReviewRow[]> {
  return (await trx('review_rows').where({ campaign_id: campaignId, decision: 'remove' }).whereNull('applied_at').orderBy('id')).map(rowOf);
}

export async function markApplied(trx: Tx, rowId: number, result: 'removed' | 'gone', at: string): Promise<boolean> {
  return Number(await trx('review_rows').where({ id: rowId }).whereNull('applied_at').update({ applied_at: at, apply_result: result })) === 1;
}

/** Every row of a campaign with the reviewers' and deciders' names, in the export's order. */
export async function allRows(db: Db | Tx, campaignId: number, after: number, limit: number): Promise<ReviewRow[]> {
  const rows = await db('review_rows')
    .leftJoin('users as r', 'r.id', 'review_rows.reviewer_id')
    .leftJoin('users as d', 'd.id', 'review_rows.decided_by')
    .where('review_rows.campaign_id', campaignId)
    .where('review_rows.id', '>', after)
    .orderBy('review_rows.id')
    .limit(limit)
    .select(ROW_COLUMNS);
  return rows.map(rowOf);
}

/** Whether this person has rows of this campaign to answer. */
export async function hasRowsIn(db: Db | Tx, campaignId: number, userId: number, isAdmin: boolean): Promise<boolean> {
  return Boolean(await mine(db('review_rows').where({ campaign_id: campaignId }), userId, isAdmin).first('id'));
}

/** A closed campaign's result: kept, removed, and how many of them by default. */
export async function outcomeCounts(db: Db | Tx, campaignId: number): Promise<{ kept: number; removed: number; defaulted: number }> {
  const rows = (await db('review_rows').where({ campaign_id: campaignId }).groupBy('decision', 'defaulted').select('decision', 'defaulted').count({ n: '*' })) as Record<string, unknown>[];
  const out = { kept: 0, removed: 0, defaulted: 0 };
  for (const r of rows) {
    if (r.decision === 'keep') out.kept += Number(r.n);
    if (r.decision === 'remove') out.removed += Number(r.n);
    if (r.defaulted) out.defaulted += Number(r.n);
  }
  return out;
}

/** A page of a campaign's rows for the API, oldest first from `after`, with the item's kind. */
export async function decisionsPage(db: Db | Tx, campaignId: number, after: number, limit: number): Promise<(ReviewRow & { item_kind: string | null })[]> {
  const rows = await db('review_rows')
    .leftJoin('users as r', 'r.id', 'review_rows.reviewer_id')
    .leftJoin('users as d', 'd.id', 'review_rows.decided_by')
    .leftJoin('catalog_items as c', 'c.id', 'review_rows.item_id')
    .where('review_rows.campaign_id', campaignId)
    .where('review_rows.id', '>', after)
    .orderBy('review_rows.id')
    .limit(limit)
    .select([...ROW_COLUMNS, 'c.kind as item_kind']);
  return rows.map((r) => ({ ...rowOf(r), item_kind: (r.item_kind as string | null) ?? null }));
}
