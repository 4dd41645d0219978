import type { Db, Tx } from './knex.ts';
import type { CatalogItem } from './rows.ts';

/** Grants an item once: the (user, item) pair is unique, so a rerun changes nothing. */
export async function grantMembership(
  trx: Tx,
  m: { userId: number; itemId: number; source: string; sourceId: number | null; grantedBy: number | null; expiresAt: string | null },
): Promise<boolean> {
  const existing = await trx('memberships').where({ user_id: m.userId, item_id: m.itemId }).first();
  if (existing) return false;
  await trx('memberships').insert({
    user_id: m.userId,
    item_id: m.itemId,
    source: m.source,
    source_id: m.sourceId,
    granted_by: m.grantedBy,
    expires_at: m.expiresAt,
    created_at: new Date().toISOString(),
  });
  return true;
}

export type MembershipView = CatalogItem & { expires_at: string | null; granted_at: string };

export async function membershipsOf(db: Db | Tx, userId: number): Promise<MembershipView[]> {
  const rows = await db('memberships')
    .join('catalog_items', 'memberships.item_id', 'catalog_items.id')
    .where('memberships.user_id', userId)
    .where((q) => q.whereNull('memberships.expires_at').orWhere('memberships.expires_at', '>', new Date().toISOString()))
    .select('catalog_items.*', 'memberships.expires_at', 'memberships.created_at as granted_at')
    .orderBy(['catalog_items.kind', 'catalog_items.name']);
  return rows.map((r) => ({ ...r, requestable: Boolean(r.requestable) }));
}

export async function hasMembership(db: Db | Tx, userId: number, itemId: number): Promise<boolean> {
  return Boolean(await db('memberships').where({ user_id: userId, item_id: itemId }).first());
}
