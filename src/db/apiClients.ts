import type { Db, Tx } from './knex.ts';

export interface ApiClient {
  id: number;
  name: string;
  scopes: string[];
  token_prefix: string;
  created_by: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

type Row = Omit<ApiClient, 'scopes'> & { scopes: string; token_hash: string };

const shape = ({ token_hash: _h, ...r }: Row): ApiClient => ({ ...r, id: Number(r.id), scopes: r.scopes.split(' ').filter(Boolean) });

export async function insertApiClient(
  trx: Tx,
  c: { name: string; scopes: string[]; tokenHash: string; tokenPrefix: string; createdBy: number | null },
): Promise<number> {
  const [row] = await trx('api_clients')
    .insert({
      name: c.name,
      scopes: c.scopes.join(' '),
      token_hash: c.tokenHash,
      token_prefix: c.tokenPrefix,
      created_by: c.createdBy,
      created_at: new Date().toISOString(),
    })
    .returning('id');
  return Number((row as { id: number }).id);
}

/** The live (not revoked) client holding this token hash. */
export async function findApiClientByHash(db: Db | Tx, tokenHash: string): Promise<ApiClient | undefined> {
  const row = await db<Row>('api_clients').where({ token_hash: tokenHash }).whereNull('revoked_at').first();
  return row ? shape(row) : undefined;
}

export async function findApiClient(db: Db | Tx, id: number): Promise<ApiClient | undefined> {
  const row = await db<Row>('api_clients').where({ id }).first();
  return row ? shape(row) : undefined;
}

export async function listApiClients(db: Db | Tx): Promise<ApiClient[]> {
  return (await db<Row>('api_clients').orderBy('id')).map(shape);
}

export async function revokeApiClientRow(trx: Tx, id: number): Promise<boolean> {
  return Number(await trx('api_clients').where({ id }).whereNull('revoked_at').update({ revoked_at: new Date().toISOString() })) === 1;
}

/**
 * Last use is shown to admins to the minute; writing it on every call would turn each read into a
 * write (and a lock on SQLite), so it is only written when older than a minute.
 */
export async function touchApiClient(db: Db, client: ApiClient): Promise<void> {
  const now = Date.now();
  if (client.last_used_at && now - Date.parse(client.last_used_at) < 60_000) return;
  await db('api_clients').where({ id: client.id }).update({ last_used_at: new Date(now).toISOString() });
}
