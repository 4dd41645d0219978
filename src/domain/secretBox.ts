// Secrets Passerelle must read back (the OpenID Provider's private keys, applications' client
// secrets, which oidc-provider compares in clear) are stored sealed with AES-256-GCM under a key from
// the configuration, so a copy of the database alone reveals none of them.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** The 32-byte key derived from the configured secret (any length of random text). */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHash('sha256').update(`passerelle:${purpose}:`).update(secret).digest();
}

/** `v1.<iv>.<tag>.<ciphertext>`, each base64url; `context` binds the box to what it is for. */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export class SealedBoxError extends Error {}

export function open(key: Buffer, box: string, context: string): string {
  const [version, iv, tag, body] = box.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new SealedBoxError('not a sealed value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Wrong key (OIDC_SECRET_KEY changed) or a tampered row: say which, never what.
    throw new SealedBoxError('cannot be opened with OIDC_SECRET_KEY (the key changed, or the value was altered)');
  }
}

/** A keyed digest: pairwise subjects and other identifiers that must not be guessable from ids. */
export function keyedDigest(key: Buffer, ...parts: string[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('base64url');
}
