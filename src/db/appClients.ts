// Applications' OpenID Connect clients. The encrypted secret is read only by secretOfClient (for
// oidc-provider, which compares secrets in clear); everything else sees has_secret.
import type { Db, Tx } from './knex.ts';
import type { AppClaim, AppClient, CatalogItem } from './rows.ts';

type Row = Omit<AppClient, 'has_secret' | 'redirect_uris' | 'post_logout_redirect_uris' | 'claims' | 'visible_group_ids'> & {
  secret_encrypted: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  claims: string;
  visible_group_ids: string;
};

const shape = ({ secret_encrypted, ...r }: Row): AppClient => ({
  ...r,
  id: Number(r.id),
  item_id: Number(r.item_id),
  public_client: Boolean(r.public_client),
  assignment_required: Boolean(r.assignment_required),
  allow_members: Boolean(r.allow_members),
  has_secret: secret_encrypted !== null,
  redirect_uris: JSON.parse(r.redirect_uris) as string[],
  post_logout_redirect_uris: JSON.parse(r.post_logout_redirect_uris) as string[],
  claims: JSON.parse(r.claims) as AppClaim[],
  visible_group_ids: (JSON.parse(r.visible_group_ids) as number[]).map(Number),
});

/** What an admin (or the CLI) sets on a client; the id and the secret are made by the command. */
export type AppClientSettings = Pick<
  AppClient,
  | 'public_client'
  | 'redirect_uris'
  | 'post_logout_redirect_uris'
  | 'backchannel_logout_uri'
  | 'initiate_login_uri'
  | 'claims'
  | 'visible_group_ids'
  | 'assignment_required'
  | 'allow_members'
>;

const columns = (s: AppClientSettings) => ({
  public_client: s.public_client,
  redirect_uris: JSON.stringify(s.redirect_uris),
  post_logout_redirect_uris: JSON.stringify(s.post_logout_redirect_uris),
  backchannel_logout_uri: s.backchannel_logout_uri,
  initiate_login_uri: s.initiate_login_uri,
  claims: JSON.stringify(s.claims),
  visible_group_ids: JSON.stringify(s.visible_group_ids),
  assignment_required: s.assignment_required,
  allow_members: s.allow_members,
});

export async function insertAppClient(
  trx: Tx,
  c: AppClientSettings & { clientId: string; itemId: number; secretEncrypted: string | null },
): Promise<number> {
  const at = new Date().toISOString();
  const [row] = await trx('app_clients')
    .insert({
      client_id: c.clientId,
      item_id: c.itemId,
      secret_encrypted: c.secretEncrypted,
      secret_rotated_at: c.secretEncrypted ? at : null,
      ...columns(c),
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function updateAppClient(trx: Tx, id: number, s: AppClientSettings): Promise<void> {
  await trx('app_clients').where({ id }).update({ ...columns(s), updated_at: new Date().toISOString() });
}

/** A public client keeps no secret; a confidential one gets the one given. */
export async function setClientSecret(trx: Tx, id: number, secretEncrypted: string | null): Promise<void> {
  const at = new Date().toISOString();
  await trx('app_clients').where({ id }).update({ secret_encrypted: secretEncrypted, secret_rotated_at: secretEncrypted ? at : null, updated_at: at });
}

export async function findAppClientByItem(db: Db | Tx, itemId: number): Promise<AppClient | undefined> {
  const row = await db<Row>('app_clients').where({ item_id: itemId }).first();
  return row && shape(row);
}

export async function findAppClient(db: Db | Tx, clientId: string): Promise<AppClient | undefined> {
  const row = await db<Row>('app_clients').where({ client_id: clientId }).first();
  return row && shape(row);
}

/** The client with its encrypted secret, for the OpenID Provider only. */
export async function findAppClientWithSecret(db: Db | Tx, clientId: string): Promise<(AppClient & { secret_encrypted: string | null }) | undefined> {
  const row = await db<Row>('app_clients').where({ client_id: clientId }).first();
  return row && { ...shape(row), secret_encrypted: row.secret_encrypted };
}

export type AppWithClient = CatalogItem & { client: AppClient };

/** Every app item with a client, by the item's name. */
export async function listAppClients(db: Db | Tx): Promise<AppWithClient[]> {
  const clients = new Map((await db<Row>('app_clients')).map((r) => [Number(r.item_id), shape(r)]));
  const items = await db<CatalogItem>('catalog_items').whereIn('id', [...clients.keys()]).orderBy('name');
  return items.map((i) => ({ ...i, requestable: Boolean(i.requestable), self_service: Boolean(i.self_service), client: clients.get(Number(i.id))! }));
}

/** The app item behind a client, for pages that name it. */
export async function itemOfClient(db: Db | Tx, clientId: string): Promise<CatalogItem | undefined> {
  const row = await db<CatalogItem>('catalog_items').join('app_clients', 'app_clients.item_id', 'catalog_items.id').where('app_clients.client_id', clientId).first('catalog_items.*');
  return row && { ...row, requestable: Boolean(row.requestable), self_service: Boolean(row.self_service) };
}

/** Clients of these items (the apps a membership change may concern). */
export async function clientsOfItems(db: Db | Tx, itemIds: number[]): Promise<AppClient[]> {
  if (itemIds.length === 0) return [];
  return (await db<Row>('app_clients').whereIn('item_id', itemIds)).map(shape);
}

export async function allAppClients(db: Db | Tx): Promise<AppClient[]> {
  return (await db<Row>('app_clients').orderBy('id')).map(shape);
}
