import type { Db, Tx } from './knex.ts';
import type { CatalogItem } from './rows.ts';

const norm = (r: CatalogItem): CatalogItem => ({ ...r, requestable: Boolean(r.requestable) });

export async function listRequestableItems(db: Db | Tx): Promise<CatalogItem[]> {
  return (await db<CatalogItem>('catalog_items').where({ requestable: true }).orderBy(['kind', 'name'])).map(norm);
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

export async function insertItem(
  db: Db | Tx,
  i: Omit<CatalogItem, 'id' | 'requestable'> & { requestable?: boolean },
): Promise<number> {
  const [row] = await db('catalog_items').insert({ requestable: true, ...i, created_at: new Date().toISOString() }).returning('id');
  return (row as { id: number }).id;
}
