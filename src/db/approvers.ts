// Who decides a request: the approvers it is routed to (each for an approval stage), and the facts
// the routing rule reads to name them (src/domain/policies.ts approversByRule).
import type { Db, Tx } from './knex.ts';
import type { AccessRequest } from './rows.ts';
import { chunks } from './chunks.ts';

export async function isApproverOf(db: Db | Tx, requestId: number, userId: number): Promise<boolean> {
  const row = await db('access_request_approvers').where({ request_id: requestId, user_id: userId }).first();
  return Boolean(row);
}

export async function approversOf(db: Db | Tx, requestId: number): Promise<number[]> {
  return (await db('access_request_approvers').where({ request_id: requestId }).select('user_id')).map((r) => Number(r.user_id));
}

/** Takes a request away from approvers who no longer decide it (a re-route). */
export async function removeApprovers(trx: Tx, requestId: number, userIds: number[]): Promise<void> {
  if (userIds.length) await trx('access_request_approvers').where({ request_id: requestId }).whereIn('user_id', userIds).delete();
}

/** What the routing rule reads of a request, by user id: see approversByRule in domain/policies. */
export interface ApproverFacts {
  allSelfService: boolean;
  /** Active members who own every requested item. */
  owners: number[];
  /** Active default sponsors of the request's organization. */
  sponsors: number[];
}

/**
 * The routing rule's facts for many requests at once, in three queries whatever their number (an
 * inbox page, an organization's open requests): the same owners (active, owning every item) and
 * sponsors (active) as ownersOfAll and sponsorsOf read for one request at routing time.
 */
export async function approverFactsOf(db: Db | Tx, requests: Pick<AccessRequest, 'id' | 'organization_id'>[]): Promise<Map<number, ApproverFacts>> {
  const facts = new Map<number, ApproverFacts>(requests.map((r) => [r.id, { allSelfService: true, owners: [], sponsors: [] }]));
  const ids = requests.map((r) => r.id);
  const itemCount = new Map<number, number>();
  for (const part of chunks(ids)) {
    const rows = await db('access_request_items')
      .join('catalog_items', 'catalog_items.id', 'access_request_items.item_id')
      .whereIn('access_request_items.request_id', part)
      .select('access_request_items.request_id', 'catalog_items.self_service');
    for (const r of rows) {
      const id = Number(r.request_id);
      itemCount.set(id, (itemCount.get(id) ?? 0) + 1);
      if (!r.self_service) facts.get(id)!.allSelfService = false;
    }
  }
  const selfService = ids.filter((id) => facts.get(id)!.allSelfService && itemCount.has(id));
  for (const part of chunks(selfService)) {
    const rows = await db('access_request_items')
      .join('catalog_owners', 'catalog_owners.item_id', 'access_request_items.item_id')
      .join('users', 'users.id', 'catalog_owners.user_id')
      .whereIn('access_request_items.request_id', part)
      .where('users.state', 'active')
      .groupBy('access_request_items.request_id', 'catalog_owners.user_id')
      .orderBy('catalog_owners.user_id')
      .select('access_request_items.request_id', 'catalog_owners.user_id', db.raw('count(distinct access_request_items.item_id) as n'));
    for (const r of rows) {
      const id = Number(r.request_id);
      if (Number(r.n) === itemCount.get(id)) facts.get(id)!.owners.push(Number(r.user_id));
    }
  }
  const orgIds = [...new Set(requests.map((r) => r.organization_id).filter((o): o is number => o !== null))];
  const sponsors = new Map<number, number[]>();
  for (const part of chunks(orgIds)) {
    const rows = await db('organization_sponsors')
      .join('users', 'users.id', 'organization_sponsors.user_id')
      .whereIn('organization_sponsors.organization_id', part)
      .where('users.state', 'active')
      .orderBy('users.id')
      .select('organization_sponsors.organization_id', 'organization_sponsors.user_id');
    for (const r of rows) sponsors.set(Number(r.organization_id), [...(sponsors.get(Number(r.organization_id)) ?? []), Number(r.user_id)]);
  }
  for (const r of requests) if (r.organization_id !== null) facts.get(r.id)!.sponsors = sponsors.get(r.organization_id) ?? [];
  return facts;
}

/**
 * Adds approvers that are not there yet, routed for `stage` (by default the stage the request waits
 * on); a rerun of routing adds nothing.
 */
export async function addApprovers(trx: Tx, requestId: number, userIds: number[], stage?: number): Promise<number[]> {
  const existing = new Set(await approversOf(trx, requestId));
  const added = userIds.filter((u) => !existing.has(u));
  if (added.length === 0) return added;
  const at = stage ?? Number((await trx('access_requests').where({ id: requestId }).first('stage'))?.stage ?? 1);
  await trx('access_request_approvers').insert(added.map((user_id) => ({ request_id: requestId, user_id, stage: at })));
  return added;
}

/** Active approvers routed for the stage the request waits on. */
export async function approversAtStage(db: Db | Tx, requestId: number, stage: number): Promise<{ id: number; email: string }[]> {
  const rows = await db('access_request_approvers')
    .join('users', 'users.id', 'access_request_approvers.user_id')
    .where({ 'access_request_approvers.request_id': requestId, 'access_request_approvers.stage': stage, 'users.state': 'active' })
    .orderBy('users.id')
    .select('users.id', 'users.email');
  return rows.map((r) => ({ id: Number(r.id), email: r.email }));
}
