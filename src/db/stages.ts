// The data of two-stage approval: which stage each request and each of its approvers is at, the
// items still waiting on a second approval, and the stage-2 rule's facts. See src/domain/stages.ts.
import type { Db, Tx } from './knex.ts';
import type { AccessRequest, CatalogItem } from './rows.ts';
import type { SecondApproval } from '../domain/model.ts';
import { nowIso } from '../domain/clock.ts';
import { chunks } from './chunks.ts';


/** The stage each of these requests waits on (1 for a request the column never moved). */
export async function stagesOf(db: Db | Tx, ids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const part of chunks(ids)) {
    for (const r of await db('access_requests').whereIn('id', part).select('id', 'stage')) out.set(Number(r.id), Number(r.stage ?? 1));
  }
  return out;
}

/**
 * The approvers each request was routed to for the stage it waits on now (a request routed to
 * nobody at that stage is absent): a stage-1 sponsor does not decide stage 2, nor the reverse.
 */
export async function approversAtCurrentStage(db: Db | Tx, requestIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const ids of chunks(requestIds)) {
    const rows = await db('access_request_approvers')
      .join('access_requests', 'access_requests.id', 'access_request_approvers.request_id')
      .whereIn('access_request_approvers.request_id', ids)
      .whereRaw('access_request_approvers.stage = access_requests.stage')
      .orderBy('access_request_approvers.user_id')
      .select('access_request_approvers.request_id', 'access_request_approvers.user_id');
    for (const r of rows) {
      const list = out.get(Number(r.request_id)) ?? [];
      list.push(Number(r.user_id));
      out.set(Number(r.request_id), list);
    }
  }
  return out;
}

/** The stage this user was routed for on this request, if they were. */
export async function approverStageOf(db: Db | Tx, requestId: number, userId: number): Promise<number | undefined> {
  const row = await db('access_request_approvers').where({ request_id: requestId, user_id: userId }).first('stage');
  return row ? Number(row.stage) : undefined;
}

/**
 * Routes these people for a stage: new rows for those never routed, and an earlier stage's row moved
 * to this one (one row per person and request), without the escalation that stage's row may have
 * carried. Whoever gave stage 1's approval is never routed for stage 2 (separation of duties: a
 * sponsor who also owns the item keeps their stage-1 row, and reads the request without deciding it).
 * Returns those newly routed for the stage; a rerun routes nobody.
 */
export async function routeAtStage(trx: Tx, requestId: number, stage: number, userIds: number[]): Promise<number[]> {
  const first = stage >= 2 ? (await stageOneDecidersOf(trx, [requestId])).get(requestId) : undefined;
  const ids = userIds.filter((u) => u !== first);
  const rows = await trx('access_request_approvers').where({ request_id: requestId }).select('user_id', 'stage');
  const at = new Map(rows.map((r) => [Number(r.user_id), Number(r.stage)]));
  const fresh = ids.filter((u) => !at.has(u));
  const moved = ids.filter((u) => at.has(u) && at.get(u) !== stage);
  if (fresh.length) await trx('access_request_approvers').insert(fresh.map((user_id) => ({ request_id: requestId, user_id, stage })));
  if (moved.length) await trx('access_request_approvers').where({ request_id: requestId }).whereIn('user_id', moved).update({ stage, escalated_at: null });
  return [...fresh, ...moved];
}

/** For each of these requests whose first approval a member gave, that member's id (not the policy's, nor an API client's). */
export async function stageOneDecidersOf(db: Db | Tx, requestIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const part of chunks(requestIds)) {
    const rows = await db('access_requests').whereIn('id', part).whereNotNull('stage1_decided_by').select('id', 'stage1_decided_by');
    for (const r of rows) out.set(Number(r.id), Number(r.stage1_decided_by));
  }
  return out;
}

/** What the stage-2 rule reads of a request: its items waiting on stage 2, and who owns them all. */
export interface StageTwoFacts {
  items: (Pick<CatalogItem, 'id' | 'name' | 'kind'> & { second_approval: SecondApproval | null })[];
  /** Active members who own every item waiting on stage 2. */
  owners: number[];
}

/**
 * The stage-2 facts of many requests in two queries: the items waiting on stage 2 are those not yet
 * decided (stage 1 recorded its approved items without a second stage, and its denied ones).
 */
export async function stageTwoFactsOf(db: Db | Tx, requestIds: number[]): Promise<Map<number, StageTwoFacts>> {
  const facts = new Map<number, StageTwoFacts>(requestIds.map((id) => [id, { items: [], owners: [] }]));
  for (const part of chunks(requestIds)) {
    const rows = await db('access_request_items')
      .join('catalog_items', 'catalog_items.id', 'access_request_items.item_id')
      .whereIn('access_request_items.request_id', part)
      .whereNull('access_request_items.decision')
      .orderBy(['catalog_items.kind', 'catalog_items.name'])
      .select('access_request_items.request_id', 'catalog_items.id', 'catalog_items.name', 'catalog_items.kind', 'catalog_items.second_approval');
    for (const r of rows) {
      facts.get(Number(r.request_id))!.items.push({ id: Number(r.id), name: r.name, kind: r.kind, second_approval: r.second_approval ?? null });
    }
    const owners = await db('access_request_items')
      .join('catalog_owners', 'catalog_owners.item_id', 'access_request_items.item_id')
      .join('users', 'users.id', 'catalog_owners.user_id')
      .whereIn('access_request_items.request_id', part)
      .whereNull('access_request_items.decision')
      .where('users.state', 'active')
      .groupBy('access_request_items.request_id', 'catalog_owners.user_id')
      .orderBy('catalog_owners.user_id')
      .select('access_request_items.request_id', 'catalog_owners.user_id', db.raw('count(distinct access_request_items.item_id) as n'));
    for (const r of owners) {
      const f = facts.get(Number(r.request_id))!;
      if (Number(r.n) === f.items.length) f.owners.push(Number(r.user_id));
    }
  }
  return facts;
}

/**
 * Records stage 1's decision on a request that goes on to stage 2: the items granted without a
 * second stage approved, those left out denied, those waiting on stage 2 undecided.
 */
export async function recordStageOneItems(trx: Tx, requestId: number, approvedIds: number[], awaitingIds: number[]): Promise<void> {
  await trx('access_request_items').where({ request_id: requestId }).update({ decision: 'denied' });
  if (approvedIds.length) await trx('access_request_items').where({ request_id: requestId }).whereIn('item_id', approvedIds).update({ decision: 'approved' });
  if (awaitingIds.length) await trx('access_request_items').where({ request_id: requestId }).whereIn('item_id', awaitingIds).update({ decision: null });
}

/**
 * A decision taken at a stage: a conditional update that matches only while the request is pending at
 * that stage, so the first decision of a stage wins, and a stage-1 decision arriving after the request
 * moved on to stage 2 (or the reverse) changes nothing.
 */
export async function transitionAtStage(trx: Tx, id: number, stage: number, changes: Partial<AccessRequest>): Promise<boolean> {
  const count = await trx('access_requests')
    .where({ id, status: 'pending' })
    .where('stage', stage)
    .update({ ...changes, updated_at: nowIso() });
  return Number(count) === 1;
}

/** A stage decision as the request's pages tell it: who, when, what. */
export interface StageDecision {
  stage: number;
  at: string;
  by: string | null;
  /** Given by the organization's auto-approve policy (stage 1 only). */
  byPolicy: boolean;
  approvedItems: string[];
  deniedItems: string[];
}

/** The stages a request has passed, from their audit events (request.stage_approved), oldest first. */
export async function stageDecisionsOf(db: Db | Tx, requestId: number): Promise<StageDecision[]> {
  const rows = await db('audit_events').where({ target: `request:${requestId}`, action: 'request.stage_approved', outcome: 'success' }).orderBy('seq').select('at', 'actor_label', 'details');
  return rows.map((r) => {
    let d: Record<string, unknown> = {};
    try {
      d = typeof r.details === 'string' ? JSON.parse(r.details) : (r.details ?? {});
    } catch {
      d = {};
    }
    return {
      stage: Number(d.stage ?? 1),
      at: r.at,
      by: typeof d.decidedBy === 'string' ? d.decidedBy : (r.actor_label ?? null),
      byPolicy: d.byPolicy === true,
      approvedItems: Array.isArray(d.approvedItems) ? (d.approvedItems as string[]) : [],
      deniedItems: Array.isArray(d.deniedItems) ? (d.deniedItems as string[]) : [],
    };
  });
}
