// The OpenID Provider's signing keys: the first one on first start, and `passerelle keys rotate`,
// which adds a key that signs from then on and keeps the previous ones published until every token
// they signed has expired.
import type { Deps } from '../deps.ts';
import { inTransaction } from '../db/knex.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { deleteKey, insertKey, publishedKeys, retireActiveKeys } from '../db/oidcKeys.ts';
import { newKey, SIGNED_TOKEN_LIFETIME_S } from '../oidc/keys.ts';

/**
 * A first key when there is none. Two processes starting together may both make one: the later
 * one finds the earlier one's and removes its own, so one key signs and nothing is published twice.
 */
export async function ensureSigningKey({ db, config }: Deps, ctx: AuditContext): Promise<void> {
  if ((await publishedKeys(db)).some((k) => !k.retired_at)) return;
  const key = newKey(config);
  await inTransaction(db, async (trx) => {
    await insertKey(trx, key);
    await appendAudit(trx, ctx, { action: 'oidc.key_created', target: `key:${key.kid}`, details: { alg: key.alg } });
  });
  const active = (await publishedKeys(db)).filter((k) => !k.retired_at);
  const first = active[active.length - 1];
  if (first && first.kid !== key.kid) await deleteKey(db, key.kid);
}

export interface Rotation {
  kid: string;
  retired: string[];
  publishedUntil: string;
}

/** A new signing key; the keys it replaces stay in the JWKS until their tokens have expired. */
export async function rotateSigningKey({ db, config }: Deps, ctx: AuditContext): Promise<Rotation> {
  const key = newKey(config);
  const at = new Date();
  // It may go on signing for up to OIDC_KEYS_REFRESH_MS after this, until the new key is everywhere.
  const until = new Date(at.getTime() + config.oidc.keysRefreshMs + SIGNED_TOKEN_LIFETIME_S * 1000).toISOString();
  return inTransaction(db, async (trx) => {
    await insertKey(trx, key);
    const retired = await retireActiveKeys(trx, at.toISOString(), until, key.kid);
    await appendAudit(trx, ctx, { action: 'oidc.key_rotated', target: `key:${key.kid}`, details: { retired, publishedUntil: until } });
    return { kid: key.kid, retired, publishedUntil: until };
  });
}
