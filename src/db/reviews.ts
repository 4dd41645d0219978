// Access reviews: the campaigns. Every transition is a conditional update (the first sweep or worker
// wins); the due campaigns are selected by the database ("due and not yet done"). Their rows are in
// reviewRows.ts, the memberships a new campaign asks about in reviewScope.ts.
import type { Db, Tx } from './knex.ts';
import type { CampaignStatus, ReviewDecision, ReviewScope } from '../domain/reviews.ts';

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

export type NewCampaign = Omit<Campaign, 'id' | 'auto_reminded_at' | 'reminders_sent' | 'opened_at' | 'closed_at'> & { opened_at?: string | null };

export const num = (v: unknown) => (v == null ? null : Number(v));

export function campaignOf(r: Record<string, unknown>): Campaign {
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

export async function insertCampaign(trx: Tx, c: NewCampaign): Promise<number> {
  const [row] = await trx('review_campaigns').insert(c).returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  if (c.series_id === null) await trx('review_campaigns').where({ id }).update({ series_id: id });
  return id;
}

/**
 * An open campaign with this name, scope and deadline (a second click on "Start" finds the first's):
 * asked inside the starting transaction, which waits for any other state change to commit first.
 */
export async function findOpenTwin(trx: Tx, c: Pick<Campaign, 'name' | 'scope' | 'scope_id' | 'deadline_at'>): Promise<number | undefined> {
  const q = trx('review_campaigns').where({ status: 'open', name: c.name, scope: c.scope, deadline_at: c.deadline_at });
  if (c.scope_id === null) q.whereNull('scope_id');
  else q.where('scope_id', c.scope_id);
  const r = await q.orderBy('id').first('id');
  return r ? Number(r.id) : undefined;
}

/** The active users among these ids (the named reviewers a campaign's mails go to). */
export async function activeUsersIn(db: Db | Tx, ids: number[]): Promise<{ id: number; email: string }[]> {
  if (!ids.length) return [];
  return (await db('users').whereIn('id', ids).where({ state: 'active' }).select('id', 'email')).map((u) => ({ id: Number(u.id), email: String(u.email) }));
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

/** How many campaigns are open (the admin home says so). */
export async function openCampaignCount(db: Db | Tx): Promise<number> {
  const [{ n }] = await db('review_campaigns').where({ status: 'open' }).count({ n: '*' });
  return Number(n);
}
