import type { Db, Tx } from './knex.ts';
import type { AccessRequest, CatalogItem, RequestStatus } from './rows.ts';
import { keysetPage, type Page } from './keyset.ts';
import { nowIso } from '../domain/clock.ts';

export interface RequestView extends AccessRequest {
  idp_name: string;
  organization_name: string | null;
  decided_by_email: string | null;
}

function viewQuery(db: Db | Tx) {
  return db('access_requests')
    .join('identity_providers', 'access_requests.identity_provider_id', 'identity_providers.id')
    .leftJoin('partner_organizations', 'access_requests.organization_id', 'partner_organizations.id')
    .leftJoin('users as decider', 'access_requests.decided_by', 'decider.id')
    .select(
      'access_requests.*',
      'identity_providers.name as idp_name',
      'partner_organizations.name as organization_name',
      'decider.email as decided_by_email',
    );
}

export async function insertRequest(
  trx: Tx,
  r: Pick<AccessRequest, 'requester_issuer' | 'requester_subject' | 'requester_email' | 'requester_name' | 'identity_provider_id' | 'organization_id' | 'justification' | 'requested_until' | 'extension_of'>,
  itemIds: number[],
): Promise<number> {
  // A request's times are on the one clock its time-outs and decision read (src/domain/clock.ts),
  // moved or not, so its pages never show it decided before it was made.
  const stamp = nowIso();
  const [row] = await trx('access_requests')
    .insert({ ...r, status: 'pending', clock_from: stamp, created_at: stamp, updated_at: stamp })
    .returning('id');
  const id = (row as { id: number }).id;
  await trx('access_request_items').insert(itemIds.map((item_id) => ({ request_id: id, item_id })));
  return id;
}

export async function findRequest(db: Db | Tx, id: number): Promise<RequestView | undefined> {
  return viewQuery(db).where('access_requests.id', id).first();
}

/** A partner only ever sees requests made with their own (issuer, subject). */
export async function findRequestOfRequester(db: Db | Tx, id: number, issuer: string, subject: string): Promise<RequestView | undefined> {
  return viewQuery(db)
    .where({ 'access_requests.id': id, 'access_requests.requester_issuer': issuer, 'access_requests.requester_subject': subject })
    .first();
}

/** The name this identity gave on her latest request, if she made one: what the form offers again. */
export async function latestRequesterName(db: Db | Tx, issuer: string, subject: string): Promise<string | undefined> {
  const row = await db('access_requests').where({ requester_issuer: issuer, requester_subject: subject }).orderBy('id', 'desc').first('requester_name');
  return row?.requester_name;
}

/** Her name on her requests not yet turned into a guest account (the provisioning reads it from there). */
export async function renameRequester(trx: Tx, issuer: string, subject: string, name: string): Promise<number[]> {
  const open = trx('access_requests').where({ requester_issuer: issuer, requester_subject: subject }).whereIn('status', ['pending', 'approved']);
  const ids = (await open.clone().select('id')).map((r) => Number(r.id));
  if (ids.length) await trx('access_requests').whereIn('id', ids).update({ requester_name: name, updated_at: nowIso() });
  return ids;
}

export type ItemDecision = 'approved' | 'denied';

/** A request's item with the decision taken on it (null while undecided). */
export interface DecidedItem extends CatalogItem {
  decision: ItemDecision | null;
}

const normItem = (r: DecidedItem): DecidedItem => ({ ...r, requestable: Boolean(r.requestable), self_service: Boolean(r.self_service) });

/** A request's items, each with its own decision, in the catalog's order. */
export async function decidedItemsOf(db: Db | Tx, requestId: number): Promise<DecidedItem[]> {
  return (
    await db('catalog_items')
      .join('access_request_items', 'catalog_items.id', 'access_request_items.item_id')
      .where('access_request_items.request_id', requestId)
      .select('catalog_items.*', 'access_request_items.decision')
      .orderBy(['catalog_items.kind', 'catalog_items.name'])
  ).map(normItem);
}

/**
 * The items an approved request grants: those approved one by one, and every item of a request
 * approved before items had decisions of their own (decision null).
 */
export async function approvedItemsOf(db: Db | Tx, requestId: number): Promise<CatalogItem[]> {
  return (await decidedItemsOf(db, requestId)).filter((i) => i.decision !== 'denied').map(({ decision: _d, ...item }) => item);
}

/** Records the decision on each item of a request: the approved ones, the others denied. */
export async function recordItemDecisions(trx: Tx, requestId: number, approvedIds: number[]): Promise<void> {
  await trx('access_request_items').where({ request_id: requestId }).update({ decision: 'denied' });
  if (approvedIds.length) await trx('access_request_items').where({ request_id: requestId }).whereIn('item_id', approvedIds).update({ decision: 'approved' });
}

/** What a partner's own list shows of each request. */
export interface OwnRequestRow {
  id: number;
  status: RequestStatus;
  created_at: string;
  granted_until: string | null;
  /** Items of an approved request that the sponsor denied. */
  denied_items: number;
  /** The invitation it led to was redeemed: the partner has taken up the access. */
  accepted: boolean;
}

/**
 * One page of a partner's own requests, newest first, older than `before` when given: read along the
 * (requester_issuer, requester_subject, id) index, so every request stays reachable however many.
 */
export async function listRequestsOfRequester(
  db: Db | Tx,
  issuer: string,
  subject: string,
  page: { before?: number; limit?: number } = {},
): Promise<Page<OwnRequestRow>> {
  const limit = page.limit ?? 50;
  const q = db('access_requests')
    .where({ requester_issuer: issuer, requester_subject: subject })
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .select(
      'id',
      'status',
      'created_at',
      'granted_until',
      db.raw("exists (select 1 from invitations where invitations.request_id = access_requests.id and invitations.status = 'redeemed') as accepted"),
      db.raw("(select count(*) from access_request_items where access_request_items.request_id = access_requests.id and access_request_items.decision = 'denied') as denied_items"),
    );
  if (page.before) q.where('id', '<', page.before);
  const rows = ((await q) as OwnRequestRow[]).map((r) => ({ ...r, accepted: Boolean(r.accepted), denied_items: Number(r.denied_items) }));
  return keysetPage(rows, limit, (r) => r.id);
}

/** What the inbox lists of a request: only the columns its rows show. */
export interface InboxRow {
  id: number;
  organization_id: number | null;
  requester_name: string;
  requester_email: string;
  organization_name: string | null;
  status: RequestStatus;
  created_at: string;
  /** The approval stage it waits on (1, or 2 for items that need a second approval). */
  stage?: number;
  /** The membership it asks to extend; null: new access. */
  extension_of?: number | null;
}

/** The columns an inbox lists a request with (the pending, the decided, and those on hold). */
export const inboxColumns = (db: Db | Tx) =>
  db('access_requests')
    .leftJoin('partner_organizations', 'access_requests.organization_id', 'partner_organizations.id')
    .select(
      'access_requests.id',
      'access_requests.organization_id',
      'access_requests.requester_name',
      'access_requests.requester_email',
      'partner_organizations.name as organization_name',
      'access_requests.status',
      'access_requests.created_at',
      'access_requests.stage',
      'access_requests.extension_of',
    );

/**
 * One page of the requests waiting for this approver, newest first, older than `before` when given:
 * read along the approver's own index (user_id, request_id), so a sponsor with a hundred thousand
 * open requests gets any page at once, on SQLite and PostgreSQL alike. `next` is the cursor of
 * the following (older) page, or null on the last one.
 */
export async function listPendingForApprover(
  db: Db | Tx,
  userId: number,
  page: { before?: number; limit?: number } = {},
): Promise<Page<InboxRow>> {
  const limit = page.limit ?? 50;
  const q = inboxColumns(db)
    .join('access_request_approvers', 'access_requests.id', 'access_request_approvers.request_id')
    .where('access_request_approvers.user_id', userId)
    .where('access_requests.status', 'pending')
    // Routed for the stage the request waits on: a stage-1 sponsor's inbox lets go of it at stage 2.
    .whereRaw('access_request_approvers.stage = access_requests.stage')
    .orderBy('access_request_approvers.request_id', 'desc')
    .limit(limit + 1);
  if (page.before) q.where('access_request_approvers.request_id', '<', page.before);
  return keysetPage((await q) as InboxRow[], limit, (r) => r.id);
}

/**
 * Recently decided requests that were routed to this approver: read along the (status, id) index
 * and checked against the approver, so a long list of open requests is not walked to find them.
 */
export async function listDecidedForApprover(db: Db | Tx, userId: number, limit = 20): Promise<InboxRow[]> {
  return inboxColumns(db)
    .whereIn('access_requests.status', ['approved', 'denied', 'provisioned', 'failed', 'expired'])
    .whereExists((q) => q.select(db.raw('1')).from('access_request_approvers').whereRaw('access_request_approvers.request_id = access_requests.id').where('access_request_approvers.user_id', userId))
    .orderBy('access_requests.id', 'desc')
    .limit(limit);
}

// Waiting for a decision includes waiting for the requester's answer to a question: such a request
// comes back to whoever decides it then, so it follows a change of sponsors or owners like the others.
const OPEN = ['pending', 'info_requested'];

/** An organization's requests still waiting for a decision and already routed, oldest first. */
export async function openRoutedRequestsOfOrganization(db: Db | Tx, organizationId: number): Promise<RequestView[]> {
  return viewQuery(db)
    .where({ 'access_requests.organization_id': organizationId })
    .whereIn('access_requests.status', OPEN)
    .whereNotNull('access_requests.routed_at')
    .orderBy('access_requests.id');
}

/** The routed requests still waiting for a decision that ask for this catalog item, oldest first. */
export async function openRoutedRequestsOfItem(db: Db | Tx, itemId: number): Promise<RequestView[]> {
  return viewQuery(db)
    .whereIn('access_requests.id', db('access_request_items').select('request_id').where({ item_id: itemId }))
    .whereIn('access_requests.status', OPEN)
    .whereNotNull('access_requests.routed_at')
    .orderBy('access_requests.id');
}

/**
 * The only way a request changes status: a conditional update that succeeds for exactly one caller
 * (SQLite has no SELECT … FOR UPDATE, and this is also the cheapest correct form on PostgreSQL).
 */
export async function transitionRequest(
  trx: Tx,
  id: number,
  from: RequestStatus[],
  changes: Partial<AccessRequest> & { status?: RequestStatus },
): Promise<boolean> {
  const count = await trx('access_requests')
    .where({ id })
    .whereIn('status', from)
    .update({ ...changes, updated_at: nowIso() });
  return Number(count) === 1;
}

export async function markRouted(trx: Tx, id: number): Promise<boolean> {
  const count = await trx('access_requests').where({ id }).whereNull('routed_at').update({ routed_at: nowIso() });
  return Number(count) === 1;
}
