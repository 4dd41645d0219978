// Reads behind the Graph-shaped API: users, groups and their members, access requests and audit
// events, each a keyset page (ordered by id, or by sequence number for audit events) so a deep page
// costs what the first one does.
import type { Db, Tx } from './knex.ts';
import type { AccessRequest, CatalogItem, User } from './rows.ts';
import type { AuditRow } from './audit.ts';
import { keysetPage as page, type Page } from './keyset.ts';
import { runningMemberships } from './memberships.ts';

export type DirectoryUser = User & { redeemed: boolean; state_changed_at: string | null };

export interface UserFilter {
  userType?: User['user_type'];
  mail?: string;
  displayNameStartsWith?: string;
}

function usersQuery(db: Db | Tx) {
  // Whether the person has redeemed (an identity is bound) and when their state last changed.
  return db('users').select(
    'users.*',
    db.raw('exists (select 1 from user_identities ui where ui.user_id = users.id) as redeemed'),
    db.raw("(select max(i.redeemed_at) from invitations i where i.user_id = users.id) as state_changed_at"),
  );
}

const shapeUser = (r: DirectoryUser): DirectoryUser => ({ ...r, id: Number(r.id), redeemed: Boolean(Number(r.redeemed)) });

/**
 * Removed people are left out by the query itself: left out after paging instead, a page holding
 * some came back short (or empty) while more users followed.
 */
export async function listDirectoryUsers(db: Db | Tx, f: UserFilter, after: number, limit: number): Promise<Page<DirectoryUser>> {
  const q = usersQuery(db).whereNot('users.state', 'removed').where('users.id', '>', after).orderBy('users.id').limit(limit + 1);
  if (f.userType) q.where('users.user_type', f.userType);
  if (f.mail) q.where('users.email', f.mail.toLowerCase());
  if (f.displayNameStartsWith) {
    q.whereRaw("lower(users.display_name) like ? escape '\\'", [`${f.displayNameStartsWith.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  }
  return page((await q).map(shapeUser), limit, (u) => u.id);
}

export async function findDirectoryUser(db: Db | Tx, id: number): Promise<DirectoryUser | undefined> {
  const row = await usersQuery(db).where('users.id', id).first();
  return row ? shapeUser(row) : undefined;
}

/** Catalog groups (applications are reached through their own launch links, not as groups). */
export async function listGroups(db: Db | Tx, after: number, limit: number): Promise<Page<CatalogItem>> {
  const rows = await db<CatalogItem>('catalog_items').where({ kind: 'group' }).where('id', '>', after).orderBy('id').limit(limit + 1);
  return page(rows.map((r) => ({ ...r, id: Number(r.id) })), limit, (g) => g.id);
}

export async function findGroup(db: Db | Tx, id: number): Promise<CatalogItem | undefined> {
  const row = await db<CatalogItem>('catalog_items').where({ id, kind: 'group' }).first();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function listGroupMembers(db: Db | Tx, itemId: number, after: number, limit: number): Promise<Page<DirectoryUser>> {
  const rows = await usersQuery(db)
    .join('memberships', 'memberships.user_id', 'users.id')
    .where('memberships.item_id', itemId)
    // A membership ended or past its term makes no member, as the apps' sign-in already says.
    .modify(runningMemberships)
    .where('users.id', '>', after)
    .orderBy('users.id')
    .limit(limit + 1);
  return page(rows.map(shapeUser), limit, (u) => u.id);
}

export type RequestRow = AccessRequest & { items: { id: number; name: string; kind: string }[] };

export async function listRequestsPage(db: Db | Tx, status: string | undefined, after: number, limit: number): Promise<Page<RequestRow>> {
  const q = db<AccessRequest>('access_requests').where('id', '>', after).orderBy('id').limit(limit + 1);
  if (status) q.where('status', status);
  const p = page((await q).map((r) => ({ ...r, id: Number(r.id) })), limit, (r) => r.id);
  return { rows: await withItems(db, p.rows), next: p.next };
}

export async function findRequestRow(db: Db | Tx, id: number): Promise<RequestRow | undefined> {
  const r = await db<AccessRequest>('access_requests').where({ id }).first();
  return r ? (await withItems(db, [{ ...r, id: Number(r.id) }]))[0] : undefined;
}

async function withItems(db: Db | Tx, rows: AccessRequest[]): Promise<RequestRow[]> {
  if (rows.length === 0) return [];
  const items = await db('access_request_items')
    .join('catalog_items', 'catalog_items.id', 'access_request_items.item_id')
    .whereIn('access_request_items.request_id', rows.map((r) => r.id))
    .select('access_request_items.request_id', 'catalog_items.id', 'catalog_items.name', 'catalog_items.kind')
    .orderBy('catalog_items.name');
  return rows.map((r) => ({
    ...r,
    items: items.filter((i) => Number(i.request_id) === r.id).map((i) => ({ id: Number(i.id), name: i.name, kind: i.kind })),
  }));
}

export interface AuditWindow {
  from?: { at: string; inclusive: boolean };
  to?: { at: string; inclusive: boolean };
}

/** Newest first, as Graph lists directory audits; `before` is the sequence number to continue below. */
export async function listAuditPage(db: Db | Tx, w: AuditWindow, before: number | null, limit: number): Promise<Page<AuditRow>> {
  const q = db<AuditRow>('audit_events').orderBy('seq', 'desc').limit(limit + 1);
  if (before) q.where('seq', '<', before);
  if (w.from) q.where('at', w.from.inclusive ? '>=' : '>', w.from.at);
  if (w.to) q.where('at', w.to.inclusive ? '<=' : '<', w.to.at);
  return page((await q).map((r) => ({ ...r, seq: Number(r.seq) })), limit, (r) => r.seq);
}

export async function findAuditEvent(db: Db | Tx, seq: number): Promise<AuditRow | undefined> {
  const r = await db<AuditRow>('audit_events').where({ seq }).first();
  return r ? { ...r, seq: Number(r.seq) } : undefined;
}
