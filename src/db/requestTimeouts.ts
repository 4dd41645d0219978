// The time-out sweep's rows (issue 18, point 1): requests due for a reminder, an escalation or their
// expiry, selected by the database ("due and not yet done"), and the conditional stamps that make the
// first sweep win. Time-outs count in days from the request's clock_from (from info_requested_at for
// a request whose requester was asked a question and never answered).
import type { Knex } from 'knex';
import type { Db, Tx } from './knex.ts';
import type { RequestStatus } from './rows.ts';
import type { TimeoutDays, TimeoutStep } from '../domain/requestTimeouts.ts';

const DAY_MS = 86_400_000;

const COLUMN: Record<TimeoutStep, string> = { remind: 'remind_after_days', escalate: 'escalate_after_days', expire: 'expire_after_days' };

/** What a time-out acts on and tells of a request. */
export interface DueRequest {
  id: number;
  status: RequestStatus;
  stage: number;
  organization_id: number | null;
  organization_name: string | null;
  requester_email: string;
  requester_name: string;
  justification: string;
  guest_user_id: number | null;
  clock_from: string;
  info_requested_at: string | null;
  /** The time-out that fell due, in days (the shortest among the request's items). */
  days: number;
}

/**
 * The request's time-out for a step, as SQL: each item's own value, else the tenant's default; 0 (or
 * a default that is off) means "never" for that item. When a request has several items the shortest
 * time-out among them applies: whoever set the tightest limit on one of the things asked for is heard,
 * and an item with the step off does not hold back the others. Null when every item has it off.
 */
function effectiveDays(step: TimeoutStep, fallback: number | null): { sql: string; bindings: number[] } {
  const col = `catalog_items.${COLUMN[step]}`;
  const d = fallback ?? 0;
  return {
    sql: `(select min(case when coalesce(${col}, cast(? as integer)) > 0 then coalesce(${col}, cast(? as integer)) end) from access_request_items join catalog_items on catalog_items.id = access_request_items.item_id where access_request_items.request_id = access_requests.id)`,
    bindings: [d, d],
  };
}

/**
 * "Started on or before the cut-off for its number of days", as SQL: the effective days picked
 * among the few values in use (each item's and the default), each with its own cut-off time. Kept to
 * string comparisons of ISO times, the same on SQLite and PostgreSQL.
 */
async function dueCondition(db: Db | Tx, step: TimeoutStep, fallback: number | null, since: string, at: string): Promise<{ sql: string; bindings: unknown[] } | null> {
  const used = (await db('catalog_items').distinct(COLUMN[step]).whereNotNull(COLUMN[step]).where(COLUMN[step], '>', 0)).map((r) => Number(r[COLUMN[step]]));
  const values = [...new Set([...used, ...(fallback ? [fallback] : [])])];
  if (values.length === 0) return null;
  const atMs = Date.parse(at);
  const eff = effectiveDays(step, fallback);
  const whens = values.map(() => 'when cast(? as integer) then cast(? as varchar(32))').join(' ');
  const cutoff = (v: number) => new Date(atMs - v * DAY_MS).toISOString();
  // The first comparison is implied by the second (no request waits less than the shortest time-out)
  // but, unlike it, can be read along the (status, time) index.
  return {
    sql: `${since} <= ? and ${since} <= (case ${eff.sql} ${whens} end)`,
    bindings: [cutoff(Math.min(...values)), ...eff.bindings, ...values.flatMap((v) => [v, cutoff(v)])],
  };
}

function days(db: Db | Tx, step: TimeoutStep, fallback: number | null): Knex.Raw {
  const eff = effectiveDays(step, fallback);
  return db.raw(`${eff.sql} as days`, eff.bindings);
}

function baseQuery(db: Db | Tx) {
  return db('access_requests')
    .leftJoin('partner_organizations', 'partner_organizations.id', 'access_requests.organization_id')
    .select(
      'access_requests.id',
      'access_requests.status',
      'access_requests.stage',
      'access_requests.organization_id',
      'partner_organizations.name as organization_name',
      'access_requests.requester_email',
      'access_requests.requester_name',
      'access_requests.justification',
      'access_requests.guest_user_id',
      'access_requests.clock_from',
      'access_requests.info_requested_at',
    );
}

const norm = (r: DueRequest): DueRequest => ({
  ...r,
  id: Number(r.id),
  stage: Number(r.stage ?? 1),
  organization_id: r.organization_id == null ? null : Number(r.organization_id),
  guest_user_id: r.guest_user_id == null ? null : Number(r.guest_user_id),
  days: Number(r.days),
});

/**
 * Requests due for this step and not yet given it, oldest first:
 * - remind: pending, routed, neither reminded nor escalated yet (an escalation says more than a reminder);
 * - escalate: pending, routed, not escalated yet;
 * - expire: pending past its time-out, or waiting on the requester's answer (info_requested) for as
 *   long since the question.
 */
export async function dueRequests(db: Db | Tx, step: TimeoutStep, defaults: TimeoutDays, at: string, limit: number): Promise<DueRequest[]> {
  const out: DueRequest[] = [];
  const pending = await dueCondition(db, step, defaults[step], 'access_requests.clock_from', at);
  if (pending) {
    const q = baseQuery(db)
      .select(days(db, step, defaults[step]))
      .where('access_requests.status', 'pending')
      .whereNotNull('access_requests.clock_from')
      .whereRaw(pending.sql, pending.bindings as Knex.RawBinding[])
      .orderBy('access_requests.clock_from')
      .orderBy('access_requests.id')
      .limit(limit);
    if (step !== 'expire') q.whereNotNull('access_requests.routed_at').whereNull('access_requests.escalated_at');
    if (step === 'remind') q.whereNull('access_requests.reminded_at');
    out.push(...((await q) as DueRequest[]).map(norm));
  }
  if (step === 'expire' && out.length < limit) {
    const unanswered = await dueCondition(db, step, defaults[step], 'access_requests.info_requested_at', at);
    if (unanswered) {
      const q = baseQuery(db)
        .select(days(db, step, defaults[step]))
        .where('access_requests.status', 'info_requested')
        .whereNotNull('access_requests.info_requested_at')
        .whereRaw(unanswered.sql, unanswered.bindings as Knex.RawBinding[])
        .orderBy('access_requests.info_requested_at')
        .orderBy('access_requests.id')
        .limit(limit - out.length);
      out.push(...((await q) as DueRequest[]).map(norm));
    }
  }
  return out;
}

/**
 * Stamps a step as taken, if the request is still as it was read: same status, same clock and stage
 * (an answer that resumed it, a stage reached, or another sweep, in between, make this a no-op).
 */
async function stamp(trx: Tx, r: DueRequest, changes: Record<string, unknown>, notYet: string | null): Promise<boolean> {
  const q = trx('access_requests').where({ id: r.id, status: r.status, stage: r.stage });
  if (r.status === 'info_requested') q.where('info_requested_at', r.info_requested_at!);
  else q.where('clock_from', r.clock_from);
  if (notYet) q.whereNull(notYet);
  return Number(await q.update(changes)) === 1;
}

export const markReminded = (trx: Tx, r: DueRequest, at: string) => stamp(trx, r, { reminded_at: at, updated_at: at }, 'reminded_at');
export const markEscalated = (trx: Tx, r: DueRequest, at: string) => stamp(trx, r, { escalated_at: at, updated_at: at }, 'escalated_at');
export const markExpired = (trx: Tx, r: DueRequest, at: string) => stamp(trx, r, { status: 'expired', updated_at: at }, null);

/**
 * The fallback approvers of an escalation: the request's organization's active sponsors not routed
 * for its current stage, else the active admins not routed for it; nobody when all already are.
 * Whoever gave the request's first approval is never one (they do not give the second).
 */
export async function fallbackApprovers(db: Db | Tx, r: Pick<DueRequest, 'id' | 'organization_id' | 'stage'>): Promise<{ id: number; email: string }[]> {
  const routed = db('access_request_approvers')
    .where({ request_id: r.id, stage: r.stage })
    .select('user_id')
    .union((u) => u.from('access_requests').where({ id: r.id }).whereNotNull('stage1_decided_by').select('stage1_decided_by as user_id'));
  if (r.organization_id !== null) {
    const sponsors = await db('users')
      .join('organization_sponsors', 'users.id', 'organization_sponsors.user_id')
      .where({ 'organization_sponsors.organization_id': r.organization_id, 'users.state': 'active' })
      .whereNotIn('users.id', routed.clone())
      .orderBy('users.id')
      .select('users.id', 'users.email');
    if (sponsors.length) return sponsors.map((u) => ({ id: Number(u.id), email: u.email }));
  }
  const admins = await db('users').where({ role: 'admin', state: 'active' }).whereNotIn('id', routed.clone()).orderBy('id').select('id', 'email');
  return admins.map((u) => ({ id: Number(u.id), email: u.email }));
}

/**
 * Routes these people for the request's current stage as escalated approvers: a new row for those
 * never routed, an earlier stage's row moved to this one (one row per person and request).
 */
export async function addEscalatedApprovers(trx: Tx, requestId: number, stage: number, userIds: number[], at: string): Promise<void> {
  if (userIds.length === 0) return;
  const existing = new Set((await trx('access_request_approvers').where({ request_id: requestId }).whereIn('user_id', userIds).select('user_id')).map((r) => Number(r.user_id)));
  const fresh = userIds.filter((u) => !existing.has(u));
  if (fresh.length) await trx('access_request_approvers').insert(fresh.map((user_id) => ({ request_id: requestId, user_id, stage, escalated_at: at })));
  const moved = userIds.filter((u) => existing.has(u));
  if (moved.length) await trx('access_request_approvers').where({ request_id: requestId }).whereIn('user_id', moved).update({ stage, escalated_at: at });
}

/**
 * For each of these requests, who an escalation routed for the stage it waits on: they decide it
 * although the routing rule would not name them (a sponsor of a self-service item's request).
 */
export async function escalatedApproversOf(db: Db | Tx, requestIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (requestIds.length === 0) return out;
  for (let i = 0; i < requestIds.length; i += 500) {
    const rows = await db('access_request_approvers')
      .join('access_requests', 'access_requests.id', 'access_request_approvers.request_id')
      .whereIn('access_request_approvers.request_id', requestIds.slice(i, i + 500))
      .whereNotNull('access_request_approvers.escalated_at')
      .whereRaw('access_request_approvers.stage = access_requests.stage')
      .select('access_request_approvers.request_id', 'access_request_approvers.user_id');
    for (const r of rows) out.set(Number(r.request_id), [...(out.get(Number(r.request_id)) ?? []), Number(r.user_id)]);
  }
  return out;
}

/** The names of a request's items, in the catalog's order (what the mails list). */
export async function itemNamesOf(db: Db | Tx, requestId: number): Promise<{ id: number; name: string }[]> {
  const rows = await db('catalog_items')
    .join('access_request_items', 'catalog_items.id', 'access_request_items.item_id')
    .where('access_request_items.request_id', requestId)
    .orderBy(['catalog_items.kind', 'catalog_items.name'])
    .select('catalog_items.id', 'catalog_items.name');
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}
