// oidc-provider's storage (src/oidc/adapter.ts): one row per stored object, keyed by its model's
// name and id, with the columns its lookups need. Not audited here: these rows are the protocol's
// working state; the events that matter (sign-ins, consent, revocation) are audited by commands.
import { writeOutsideAudit, type Db, type Tx } from './knex.ts';

export interface OidcRow {
  payload: string;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface OidcRecord {
  type: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  accountId: string | null;
  clientId: string | null;
  expiresAt: string | null;
}

export async function upsertOidc(db: Db, r: OidcRecord): Promise<void> {
  await writeOutsideAudit(db, (q) =>
    q('oidc_payloads')
      .insert({
        type: r.type,
        id: r.id,
        payload: r.payload,
        grant_id: r.grantId,
        user_code: r.userCode,
        uid: r.uid,
        account_id: r.accountId,
        client_id: r.clientId,
        expires_at: r.expiresAt,
        consumed_at: null,
      })
      .onConflict(['type', 'id'])
      .merge(),
  );
}

const live = (q: ReturnType<Db>) => q.where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', new Date().toISOString()));

export async function findOidc(db: Db, type: string, id: string): Promise<OidcRow | undefined> {
  return live(db('oidc_payloads').where({ type, id })).first('payload', 'expires_at', 'consumed_at');
}

export async function findOidcBy(db: Db, type: string, column: 'uid' | 'user_code', value: string): Promise<OidcRow | undefined> {
  return live(db('oidc_payloads').where({ type, [column]: value })).first('payload', 'expires_at', 'consumed_at');
}

/** Marks a code or refresh token spent; false when it was spent already (or is gone): one conditional update decides. */
export async function consumeOidc(db: Db, type: string, id: string): Promise<boolean> {
  const n = await writeOutsideAudit(db, (q) => q('oidc_payloads').where({ type, id }).whereNull('consumed_at').update({ consumed_at: new Date().toISOString() }));
  return Number(n) > 0;
}

export async function destroyOidc(db: Db, type: string, id: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('oidc_payloads').where({ type, id }).delete());
}

/** Everything issued under a grant: the grant itself, its codes and its tokens. */
export async function destroyOidcGrant(db: Db | Tx, grantId: string): Promise<number> {
  const run = (q: Db | Tx) => q('oidc_payloads').where({ grant_id: grantId }).orWhere({ type: 'Grant', id: grantId }).delete();
  return 'commit' in db ? run(db) : writeOutsideAudit(db, run);
}

/** The grants a person holds for an app (one per session that signed in to it). */
export async function grantIdsOf(db: Db | Tx, accountId: string, clientId: string): Promise<string[]> {
  const rows = await db('oidc_payloads').where({ type: 'Grant', account_id: accountId, client_id: clientId }).select('id');
  return rows.map((r: { id: string }) => r.id);
}

/** Every grant of a person, whatever the app: for a person disabled or removed. */
export async function grantsOfAccount(db: Db | Tx, accountId: string): Promise<{ id: string; clientId: string }[]> {
  const rows = await db('oidc_payloads').where({ type: 'Grant', account_id: accountId }).select('id', 'client_id');
  return rows.map((r: { id: string; client_id: string }) => ({ id: r.id, clientId: r.client_id }));
}

/** Removes rows past their expiry, a bounded batch at a time; returns how many went. */
export async function deleteExpiredOidc(db: Db, batch = 1000): Promise<number> {
  const at = new Date().toISOString();
  return writeOutsideAudit(db, async (q) => {
    const ids = await q('oidc_payloads').where('expires_at', '<=', at).limit(batch).select('type', 'id');
    if (ids.length === 0) return 0;
    let n = 0;
    for (const { type, id } of ids as { type: string; id: string }[]) n += await q('oidc_payloads').where({ type, id }).delete();
    return n;
  });
}
