// Access reviews: campaigns and their rows. Every transition is a conditional update (the first
// sweep or worker wins); the due campaigns are selected by the database ("due and not yet done").
import type { Db, Tx } from './knex.ts';
import type { CampaignStatus, ReviewDecision, ReviewerKind, ReviewScope } from '../domain/reviews.ts';

export interface Campaign {
  id: number;
  series_id: number | null;
  previous_id: number | null;
  name: string;
  scope: ReviewScope;
  scope_id: number | null;
  scope_name: string | null;
  recurrence_months: number | null;
  default_decision: ReviewDecision;
  status: CampaignStatus;
  starts_at: string;
  deadline_at: string;
  remind_at: string;
  auto_reminded_at: string | null;
  reminders_sent: number;
  opened_at: string | null;
  closed_at: string | null;
  created_by: number | null;
  created_at: string;
}

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

/** The memberships a new campaign asks about, with what assigning their reviewer needs. */
export interface ScopedMembership {
  guest_id: number;
  guest_name: string;
  guest_email: string;
  organization_name: string | null;
  item_id: number;
  item_name: string;
  expires_at: string | null;
  sponsorIds: number[];
  ownerIds: number[];
}

export type NewCampaign = Omit<Campaign, 'id' | 'auto_reminded_at' | 'reminders_sent' | 'opened_at' | 'closed_at'>;
export type NewRow = Omit<ReviewRow, 'id' | 'reviewer_name' | 'reviewer_email' | 'decision' | 'reason' | 'decided_by' | 'decider_name' | 'decider_email' | 'decided_at' | 'defaulted' | 'applied_at' | 'apply_result'> & { search_text: string };

const num = (v: unknown) => (v == null ? null : Number(v));

function campaignOf(r: Record<string, unknown>): Campaign {
  return {
    ...(r as unknown as Campaign),
    id: Number(r.id),
    series_id: num(r.series_id),
    previous_id: num(r.previous_id),
    scope_id: num(r.scope_id),
    recurrence_months: num(r.recurrence_months),
    reminders_sent: Number(r.reminders_sent ?? 0),
    created_by: num(r.created_by),
  };
}

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

export async function insertCampaign(trx: Tx, c: NewCampaign): Promise<number> {
  const [row] = await trx('review_campaigns').insert(c).returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  if (c.series_id === null) await trx('review_campaigns').where({ id }).update({ series_id: id });
  return id;
}

export async function findCampaign(db: Db | Tx, id: number): Promise<Campaign | undefined> {
  const r = await db('review_campaigns').where({ id }).first();
  return r ? campaignOf(r) : undefined;
}

/** The next instance of a recurring campaign, if it was made already. */
export async function nextInstanceOf(db: Db | Tx, id: number): Promise<Campaign | undefined> {
  const r = await db('review_campaigns').where({ previous_id: id }).first();
  return r ? campaignOf(r) : undefined;
}

export interface CampaignSummary extends Campaign {
  total: number;
  answered: number;
}

async function withCounts(db: Db | Tx, campaigns: Campaign[]): Promise<CampaignSummary[]> {
  if (!campaigns.length) return [];
  const counts = (await db('review_rows')
    .whereIn('campaign_id', campaigns.map((c) => c.id))
    .groupBy('campaign_id')
    .select('campaign_id')
    .count({ total: '*' })
    .count({ answered: 'decision' })) as Record<string, unknown>[];
  const by = new Map(counts.map((c) => [Number(c.campaign_id), c]));
  return campaigns.map((c) => ({ ...c, total: Number(by.get(c.id)?.total ?? 0), answered: Number(by.get(c.id)?.answered ?? 0) }));
}

/** Every campaign, newest first, with its progress (closed ones stay: history is kept). */
export async function listCampaigns(db: Db | Tx, page: number, size: number): Promise<{ rows: CampaignSummary[]; hasMore: boolean }> {
  const rows = (await db('review_campaigns').orderBy('id', 'desc').limit(size + 1).offset((page - 1) * size)).map(campaignOf);
  return { rows: await withCounts(db, rows.slice(0, size)), hasMore: rows.length > size };
}

/** The reviewer's side of a row: their own rows, and for an admin the rows given to the admins. */
function mine(q: import('knex').Knex.QueryBuilder, userId: number, isAdmin: boolean, col = 'review_rows.reviewer_id') {
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

/** Scheduled campaigns whose start came. */
export async function dueToOpen(db: Db | Tx, at: string, limit: number): Promise<number[]> {
  return (await db('review_campaigns').where({ status: 'scheduled' }).where('starts_at', '<=', at).orderBy('starts_at').limit(limit).select('id')).map((r) => Number(r.id));
}

/** Open campaigns past their deadline. */
export async function dueToClose(db: Db | Tx, at: string, limit: number): Promise<number[]> {
  return (await db('review_campaigns').where({ status: 'open' }).where('deadline_at', '<=', at).orderBy('deadline_at').limit(limit).select('id')).map((r) => Number(r.id));
}

/**
 * Open campaigns whose automatic reminder is due and was not sent. A round opened only after its
 * reminder time (the worker was down) is not reminded on the heels of its opening mail.
 */
export async function dueToRemind(db: Db | Tx, at: string, limit: number): Promise<number[]> {
  return (
    await db('review_campaigns')
      .where({ status: 'open' })
      .whereNull('auto_reminded_at')
      .where('remind_at', '<=', at)
      .where('deadline_at', '>', at)
      .whereRaw('remind_at > opened_at')
      .orderBy('remind_at')
      .limit(limit)
      .select('id')
  ).map((r) => Number(r.id));
}

/** scheduled → open, once. */
export async function markOpened(trx: Tx, id: number, at: string): Promise<boolean> {
  return Number(await trx('review_campaigns').where({ id, status: 'scheduled' }).where('starts_at', '<=', at).update({ status: 'open', opened_at: at })) === 1;
}

/** open → closed at the deadline, once. */
export async function markClosed(trx: Tx, id: number, at: string): Promise<boolean> {
  return Number(await trx('review_campaigns').where({ id, status: 'open' }).where('deadline_at', '<=', at).update({ status: 'closed', closed_at: at })) === 1;
}

/** The automatic reminder, once. */
export async function markAutoReminded(trx: Tx, id: number, at: string): Promise<boolean> {
  return Number(await trx('review_campaigns').where({ id, status: 'open' }).whereNull('auto_reminded_at').where('remind_at', '<=', at).update({ auto_reminded_at: at })) === 1;
}

/** Counts a reminder an admin asked for; false when the campaign is not open or another reminder came first. */
export async function countReminder(trx: Tx, id: number, seen: number): Promise<boolean> {
  return Number(await trx('review_campaigns').where({ id, status: 'open', reminders_sent: seen }).update({ reminders_sent: seen + 1 })) === 1;
}

/**
 * Takes the campaign's row lock while it is open (an update that changes nothing): a decision and the
 * closing then happen one after the other, so no answer lands after the closing read the answers.
 */
export async function holdOpenCampaign(trx: Tx, id: number): Promise<boolean> {
  return Number(await trx('review_campaigns').where({ id, status: 'open' }).update({ status: 'open' })) === 1;
}

/**
 * Guests' memberships in a campaign's scope, unexpired, with the guests' sponsors (those named for
 * them, else the decider of their latest request) and the items' owners (active members only).
 */
export async function membershipsInScope(db: Db | Tx, scope: ReviewScope, scopeId: number | null, at: string): Promise<ScopedMembership[]> {
  const q = db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .join('catalog_items as c', 'c.id', 'm.item_id')
    .where('u.user_type', 'guest')
    .whereNot('u.state', 'removed')
    .where((w) => w.whereNull('m.expires_at').orWhere('m.expires_at', '>', at))
    .orderBy('u.email')
    .orderBy('c.name')
    .select('u.id as guest_id', 'u.display_name as guest_name', 'u.email as guest_email', 'c.id as item_id', 'c.name as item_name', 'm.expires_at');
  if (scope === 'item') q.where('m.item_id', scopeId ?? 0);
  if (scope === 'organization') {
    const domains = (await db('organization_domains').where({ organization_id: scopeId ?? 0 }).select('domain')).map((d) => String(d.domain).toLowerCase());
    if (!domains.length) return [];
    q.where((w) => {
      for (const d of domains) w.orWhereRaw("lower(u.email) like ? escape '\\'", [`%@${d.replace(/[\\%_]/g, (ch) => `\\${ch}`)}`]);
    });
  }
  const rows = await q;
  if (!rows.length) return [];
  const guestIds = [...new Set(rows.map((r) => Number(r.guest_id)))];
  const itemIds = [...new Set(rows.map((r) => Number(r.item_id)))];
  const sponsors: { guest_id: number; sponsor_id: number }[] = [];
  for (let i = 0; i < guestIds.length; i += 500) {
    sponsors.push(
      ...(await db('guest_sponsors as s')
        .join('users as su', 'su.id', 's.sponsor_id')
        .whereIn('s.guest_id', guestIds.slice(i, i + 500))
        .where({ 'su.user_type': 'member', 'su.state': 'active' })
        .select('s.guest_id', 's.sponsor_id')),
    );
  }
  // A guest nobody named a sponsor for (a request approved, not an invitation) is sponsored by the
  // member who decided their latest request, as leaving the organization tells them (db/leaving.ts).
  const unsponsored = guestIds.filter((g) => !sponsors.some((s) => Number(s.guest_id) === g));
  for (let i = 0; i < unsponsored.length; i += 500) {
    const deciders = await db('access_requests as ar')
      .join('users as du', 'du.id', 'ar.decided_by')
      .whereIn('ar.guest_user_id', unsponsored.slice(i, i + 500))
      .where({ 'du.user_type': 'member', 'du.state': 'active' })
      .orderBy('ar.decided_at', 'desc')
      .orderBy('ar.id', 'desc')
      .select('ar.guest_user_id', 'ar.decided_by');
    const seen = new Set<number>();
    for (const d of deciders) {
      if (seen.has(Number(d.guest_user_id))) continue;
      seen.add(Number(d.guest_user_id));
      sponsors.push({ guest_id: Number(d.guest_user_id), sponsor_id: Number(d.decided_by) });
    }
  }
  const owners = await db('catalog_owners as o')
    .join('users as ou', 'ou.id', 'o.user_id')
    .whereIn('o.item_id', itemIds)
    .where({ 'ou.user_type': 'member', 'ou.state': 'active' })
    .select('o.item_id', 'o.user_id');
  const orgs = await db('organization_domains').join('partner_organizations', 'partner_organizations.id', 'organization_domains.organization_id').select('organization_domains.domain', 'partner_organizations.name');
  const orgOf = new Map(orgs.map((o) => [String(o.domain).toLowerCase(), String(o.name)]));
  const sponsorsOf = new Map<number, number[]>();
  for (const s of sponsors) sponsorsOf.set(Number(s.guest_id), [...(sponsorsOf.get(Number(s.guest_id)) ?? []), Number(s.sponsor_id)]);
  const ownersOf = new Map<number, number[]>();
  for (const o of owners) ownersOf.set(Number(o.item_id), [...(ownersOf.get(Number(o.item_id)) ?? []), Number(o.user_id)]);
  return rows.map((r) => ({
    guest_id: Number(r.guest_id),
    guest_name: r.guest_name,
    guest_email: r.guest_email,
    organization_name: orgOf.get(String(r.guest_email).slice(String(r.guest_email).lastIndexOf('@') + 1).toLowerCase()) ?? null,
    item_id: Number(r.item_id),
    item_name: r.item_name,
    expires_at: r.expires_at ?? null,
    sponsorIds: sponsorsOf.get(Number(r.guest_id)) ?? [],
    ownerIds: ownersOf.get(Number(r.item_id)) ?? [],
  }));
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
export async function applyDefault(trx: Tx, campaignId: number, decision: ReviewDecision, at: string): Promise<number> {
  return Number(await trx('review_rows').where({ campaign_id: campaignId }).whereNull('decision').update({ decision, defaulted: true, decided_at: at }));
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

/** The first campaign of each series (the API's definitions), oldest first, from `after`. */
export async function seriesPage(db: Db | Tx, after: number, limit: number): Promise<Campaign[]> {
  return (await db('review_campaigns').whereRaw('id = series_id').where('id', '>', after).orderBy('id').limit(limit)).map(campaignOf);
}

/** The campaigns of a series, oldest first, from `after`. */
export async function instancesPage(db: Db | Tx, seriesId: number, after: number, limit: number): Promise<Campaign[]> {
  return (await db('review_campaigns').where({ series_id: seriesId }).where('id', '>', after).orderBy('id').limit(limit)).map(campaignOf);
}

/** The latest campaign of each of these series. */
export async function latestOfSeries(db: Db | Tx, seriesIds: number[]): Promise<Map<number, Campaign>> {
  if (!seriesIds.length) return new Map();
  const rows = (await db('review_campaigns').whereIn('series_id', seriesIds).orderBy('id')).map(campaignOf);
  return new Map(rows.map((c) => [c.series_id!, c]));
}

export async function userNames(db: Db | Tx, ids: number[]): Promise<Map<number, { name: string; email: string }>> {
  if (!ids.length) return new Map();
  const rows = await db('users').whereIn('id', [...new Set(ids)]).select('id', 'display_name', 'email');
  return new Map(rows.map((u) => [Number(u.id), { name: String(u.display_name), email: String(u.email) }]));
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

/** How many campaigns are open (the admin home says so). */
export async function openCampaignCount(db: Db | Tx): Promise<number> {
  const [{ n }] = await db('review_campaigns').where({ status: 'open' }).count({ n: '*' });
  return Number(n);
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
