import type { Db, Tx } from './knex.ts';
import type { AccessRequest, RequestStatus } from './rows.ts';
import { keysetPage, type Page } from './keyset.ts';

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
  r: Pick<AccessRequest, 'requester_issuer' | 'requester_subject' | 'requester_email' | 'requester_name' | 'identity_provider_id' | 'organization_id' | 'justification'>,
  itemIds: number[],
): Promise<number> {
  const stamp = new Date().toISOString();
  const [row] = await trx('access_requests')
    .insert({ ...r, status: 'pending', created_at: stamp, updated_at: stamp })
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

/** What a partner's own list shows of each request. */
export interface OwnRequestRow {
  id: number;
  status: RequestStatus;
  created_at: string;
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
    .select('id', 'status', 'created_at');
  if (page.before) q.where('id', '<', page.before);
  return keysetPage((await q) as OwnRequestRow[], limit, (r) => r.id);
}

/** What the inbox lists of a request: only the columns its rows show. */
export interface InboxRow {
  id: number;
  requester_name: string;
  requester_email: string;
  organization_name: string | null;
  status: RequestStatus;
  created_at: string;
}

const inboxColumns = (db: Db | Tx) =>
  db('access_requests')
    .leftJoin('partner_organizations', 'access_requests.organization_id', 'partner_organizations.id')
    .select(
      'access_requests.id',
      'access_requests.requester_name',
      'access_requests.requester_email',
      'partner_organizations.name as organization_name',
      'access_requests.status',
      'access_requests.created_at',
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
    .whereIn('access_requests.status', ['approved', 'denied', 'provisioned', 'failed'])
    .whereExists((q) => q.select(db.raw('1')).from('access_request_approvers').whereRaw('access_request_approvers.request_id = access_requests.id').where('access_request_approvers.user_id', userId))
    .orderBy('access_requests.id', 'desc')
    .limit(limit);
}

export async function isApproverOf(db: Db | Tx, requestId: number, userId: number): Promise<boolean> {
  const row = await db('access_request_approvers').where({ request_id: requestId, user_id: userId }).first();
  return Boolean(row);
}

export async function approversOf(db: Db | Tx, requestId: number): Promise<number[]> {
  return (await db('access_request_approvers').where({ request_id: requestId }).select('user_id')).map((r) => Number(r.user_id));
}

/** Adds approvers that are not there yet; a rerun of routing adds nothing. */
export async function addApprovers(trx: Tx, requestId: number, userIds: number[]): Promise<number[]> {
  const existing = new Set(await approversOf(trx, requestId));
  const added = userIds.filter((u) => !existing.has(u));
  if (added.length) await trx('access_request_approvers').insert(added.map((user_id) => ({ request_id: requestId, user_id })));
  return added;
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
    .update({ ...changes, updated_at: new Date().toISOString() });
  return Number(count) === 1;
}

export async function markRouted(trx: Tx, id: number): Promise<boolean> {
  const count = await trx('access_requests').where({ id }).whereNull('routed_at').update({ routed_at: new Date().toISOString() });
  return Number(count) === 1;
}
