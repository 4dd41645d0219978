import type { Db, Tx } from './knex.ts';
import type { CatalogItem, User } from './rows.ts';

const norm = (r: CatalogItem): CatalogItem => ({ ...r, requestable: Boolean(r.requestable), self_service: Boolean(r.self_service) });

export type ItemInput = Pick<CatalogItem, 'kind' | 'name' | 'description' | 'launch_url' | 'max_days'> &
  Partial<Pick<CatalogItem, 'requestable' | 'self_service' | 'audience' | 'second_approval'>>;

export async function listRequestableItems(db: Db | Tx): Promise<CatalogItem[]> {
  return (await db<CatalogItem>('catalog_items').where({ requestable: true }).orderBy(['kind', 'name'])).map(norm);
}

export async function listAllItems(db: Db | Tx): Promise<CatalogItem[]> {
  return (await db<CatalogItem>('catalog_items').orderBy(['kind', 'name'])).map(norm);
}

export async function findItem(db: Db | Tx, id: number): Promise<CatalogItem | undefined> {
  const row = await db<CatalogItem>('catalog_items').where({ id }).first();
  return row && norm(row);
}

export async function findItemsByIds(db: Db | Tx, ids: number[]): Promise<CatalogItem[]> {
  if (ids.length === 0) return [];
  return (await db<CatalogItem>('catalog_items').whereIn('id', ids).orderBy(['kind', 'name'])).map(norm);
}

export async function itemsOfRequest(db: Db | Tx, requestId: number): Promise<CatalogItem[]> {
  return (
    await db<CatalogItem>('catalog_items')
      .join('access_request_items', 'catalog_items.id', 'access_request_items.item_id')
      .where('access_request_items.request_id', requestId)
      .select('catalog_items.*')
      .orderBy(['catalog_items.kind', 'catalog_items.name'])
  ).map(norm);
}

export async function insertItem(db: Db | Tx, i: ItemInput): Promise<number> {
  const [row] = await db('catalog_items')
    .insert({ requestable: true, self_service: false, audience: 'anyone', ...i, created_at: new Date().toISOString() })
    .returning('id');
  return (row as { id: number }).id;
}

export async function updateItem(db: Db | Tx, id: number, i: ItemInput): Promise<void> {
  await db('catalog_items').where({ id }).update(i);
}

export async function ownersOf(db: Db | Tx, itemId: number): Promise<User[]> {
  return db<User>('users').join('catalog_owners', 'users.id', 'catalog_owners.user_id').where('catalog_owners.item_id', itemId).select('users.*').orderBy('users.email');
}

export async function setOwners(db: Db | Tx, itemId: number, userIds: number[]): Promise<void> {
  await db('catalog_owners').where({ item_id: itemId }).delete();
  if (userIds.length) await db('catalog_owners').insert(userIds.map((user_id) => ({ item_id: itemId, user_id })));
}

/** Items whose owners run them themselves ("self-service"); only these show in an owner's console. */
export async function selfServiceItemsOwnedBy(db: Db | Tx, userId: number): Promise<CatalogItem[]> {
  return (
    await db<CatalogItem>('catalog_items')
      .join('catalog_owners', 'catalog_items.id', 'catalog_owners.item_id')
      .where({ 'catalog_owners.user_id': userId, 'catalog_items.self_service': true })
      .select('catalog_items.*')
      .orderBy(['catalog_items.kind', 'catalog_items.name'])
  ).map(norm);
}

export async function isSelfServiceOwner(db: Db | Tx, userId: number, itemId: number): Promise<boolean> {
  const row = await db('catalog_owners')
    .join('catalog_items', 'catalog_items.id', 'catalog_owners.item_id')
    .where({ 'catalog_owners.user_id': userId, 'catalog_owners.item_id': itemId, 'catalog_items.self_service': true })
    .first('catalog_owners.item_id');
  return Boolean(row);
}

/** Active members who own every one of these items. */
export async function ownersOfAll(db: Db | Tx, itemIds: number[]): Promise<User[]> {
  if (itemIds.length === 0) return [];
  return db<User>('users')
    .join('catalog_owners', 'users.id', 'catalog_owners.user_id')
    .whereIn('catalog_owners.item_id', itemIds)
    .where('users.state', 'active')
    .groupBy('users.id')
    .havingRaw('count(distinct catalog_owners.item_id) = ?', [itemIds.length])
    .select('users.*')
    .orderBy('users.id');
}

export async function itemNameTaken(db: Db | Tx, name: string, exceptId: number | null): Promise<boolean> {
  const q = db('catalog_items').where({ name });
  if (exceptId) q.whereNot({ id: exceptId });
  return Boolean(await q.first());
}
