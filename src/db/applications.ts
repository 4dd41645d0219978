// The catalog's applications with their OpenID Connect client, if they have one, for the API: a
// keyset page by item id, the client attached without its secret.
import type { Db, Tx } from './knex.ts';
import type { AppClient, CatalogItem } from './rows.ts';
import { clientsOfItems } from './appClients.ts';
import { keysetPage, type Page } from './keyset.ts';

export type Application = CatalogItem & { client: AppClient | null };

const norm = (r: CatalogItem): CatalogItem => ({ ...r, id: Number(r.id), requestable: Boolean(r.requestable), self_service: Boolean(r.self_service) });

async function withClients(db: Db | Tx, items: CatalogItem[]): Promise<Application[]> {
  const clients = new Map((await clientsOfItems(db, items.map((i) => i.id))).map((c) => [c.item_id, c]));
  return items.map((i) => ({ ...i, client: clients.get(i.id) ?? null }));
}

/** `appId`: only the application whose client has this client id. */
export async function listApplicationsPage(db: Db | Tx, f: { appId?: string }, after: number, limit: number): Promise<Page<Application>> {
  const q = db<CatalogItem>('catalog_items').where({ kind: 'app' }).where('catalog_items.id', '>', after).orderBy('catalog_items.id').limit(limit + 1);
  if (f.appId !== undefined) q.whereIn('catalog_items.id', db('app_clients').where({ client_id: f.appId }).select('item_id'));
  const rows = (await q.select('catalog_items.*')).map(norm);
  const page = keysetPage(rows, limit, (i) => i.id);
  return { rows: await withClients(db, page.rows), next: page.next };
}

export async function findApplication(db: Db | Tx, id: number): Promise<Application | undefined> {
  const row = await db<CatalogItem>('catalog_items').where({ id, kind: 'app' }).first();
  return row && (await withClients(db, [norm(row)]))[0];
}
