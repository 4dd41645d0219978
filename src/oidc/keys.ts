// The OpenID Provider's signing keys: made here, kept in the database with the private half sealed
// under OIDC_SECRET_KEY, so every web process signs with the same key and a restart changes nothing
// (src/commands/signingKeys.ts makes the first one and rotates them).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { publishedKeys, type SigningKeyRow } from '../db/oidcKeys.ts';
import { deriveKey, open, seal } from '../domain/secretBox.ts';

const PURPOSE = 'signing-key';
const ALG = 'RS256';

/** The longest a token signed with a key stays valid (ID tokens, logout tokens), plus clock skew. */
export const SIGNED_TOKEN_LIFETIME_S = 3600 + 300;

export function newKey(config: Config): Omit<SigningKeyRow, 'retired_at' | 'retire_after'> {
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: ALG, use: 'sig' };
  const pub = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: ALG, use: 'sig' };
  return {
    kid,
    alg: ALG,
    public_jwk: JSON.stringify(pub),
    private_encrypted: seal(deriveKey(config.oidc.secretKey, PURPOSE), JSON.stringify(priv), `key:${kid}`),
    created_at: new Date().toISOString(),
  };
}

/**
 * The published keys in the order oidc-provider uses them: the one that signs first. A key signs
 * only once it has been published for `settleMs` (OIDC_KEYS_REFRESH_MS, the longest any web process
 * takes to see it): until then a token it signed could meet a JWKS, served by another process, that
 * does not list it yet. The signer is the newest key settled that long, or the newest when none is
 * (the very first key).
 */
export function signingOrder<K extends Pick<SigningKeyRow, 'kid' | 'created_at'>>(keys: K[], now: number, settleMs: number): K[] {
  const newestFirst = [...keys].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.kid.localeCompare(a.kid));
  const signer = newestFirst.find((k) => Date.parse(k.created_at) <= now - settleMs) ?? newestFirst[0];
  return signer ? [signer, ...newestFirst.filter((k) => k !== signer)] : [];
}

/** The published keys in signing order (see signingOrder), and the version a web process compares. */
export async function currentKeys(db: Db, config: Config): Promise<{ rows: SigningKeyRow[]; version: string }> {
  const rows = signingOrder(await publishedKeys(db), Date.now(), config.oidc.keysRefreshMs);
  return { rows, version: rows.map((r) => `${r.kid}:${r.retired_at ?? ''}`).join(',') };
}

/** The private JWKs to give oidc-provider, the one that signs first. */
export async function loadSigningKeys(db: Db, config: Config): Promise<JWK[]> {
  const { rows } = await currentKeys(db, config);
  return rows.map((r) => JSON.parse(open(deriveKey(config.oidc.secretKey, PURPOSE), r.private_encrypted, `key:${r.kid}`)) as JWK);
}
