// The OpenID Provider's signing keys: the public half in clear (for the JWKS), the private half sealed.
import { writeOutsideAudit, type Db, type Tx } from './knex.ts';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  private_encrypted: string;
  created_at: string;
  retired_at: string | null;
  retire_after: string | null;
}

/** The keys still published, newest first: the first one not retired signs. */
export async function publishedKeys(db: Db | Tx, at = new Date().toISOString()): Promise<SigningKeyRow[]> {
  return db<SigningKeyRow>('oidc_keys')
    .where((q) => q.whereNull('retire_after').orWhere('retire_after', '>', at))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'kid', order: 'desc' }]);
}

export async function insertKey(trx: Tx, k: Omit<SigningKeyRow, 'retired_at' | 'retire_after'>): Promise<void> {
  await trx('oidc_keys').insert({ ...k, retired_at: null, retire_after: null });
}

/** Every key that signs today stops signing now and stays published until `until`. */
export async function retireActiveKeys(trx: Tx, at: string, until: string, exceptKid: string): Promise<string[]> {
  const rows = await trx('oidc_keys').whereNull('retired_at').whereNot({ kid: exceptKid }).select('kid');
  await trx('oidc_keys').whereNull('retired_at').whereNot({ kid: exceptKid }).update({ retired_at: at, retire_after: until });
  return rows.map((r: { kid: string }) => r.kid);
}

export async function deleteKey(db: Db, kid: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('oidc_keys').where({ kid }).delete());
}

/** Keys past their publication: gone from the JWKS already, removed from the table too. */
export async function deleteUnpublishedKeys(db: Db): Promise<number> {
  return writeOutsideAudit(db, (q) => q('oidc_keys').whereNotNull('retire_after').where('retire_after', '<=', new Date().toISOString()).delete());
}
