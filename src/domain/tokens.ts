// The single-use secrets we mint: invitation link tokens and sign-in codes. Only their hashes are
// stored; the raw value goes into the e-mail (or, once, to the API caller) and nowhere else.
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: the raw token goes only into the e-mail, never into the database. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Tokens we issue are 43 base64url characters; anything else is rejected before a lookup. */
export function looksLikeToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 128 random bits as 26 base32 characters, grouped for reading: ABCDE-FGHIJ-KLMNO-PQRST-UVWXYZ. */
export function newCode(): { code: string; hash: string } {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return { code: out.match(/.{1,5}/g)!.join('-').replace(/-(\w)$/, '$1'), hash: hashCode(out) };
}

/** Case, spaces and dashes do not matter when the code is typed back. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code.toUpperCase().replace(/[^A-Z2-7]/g, '')).digest('hex');
}
