// Sign-in by e-mail for partners whose organization has no IdP: a single-use code, valid for ten
// minutes, 128 random bits, of which only the hash is stored. The code itself is minted by the mail
// job when the message leaves (like invitation tokens), so no usable code ever sits in the database.
import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction, type Db, type Tx } from '../db/knex.ts';
import { queueMail } from '../db/mail.ts';
import { addOutbox } from '../db/outbox.ts';
import { AppError } from '../domain/errors.ts';
import { t } from '../i18n/t.ts';

export const CODE_TTL_MINUTES = 10;
const MAX_CODES_PER_ADDRESS = 3; // per CODE_TTL_MINUTES
export const CODE_PLACEHOLDER = '{{one-time-code}}';
export const CODE_LINK_PLACEHOLDER = '{{one-time-link}}';

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

export async function requestCode(deps: Deps, ctx: AuditContext, email: string): Promise<void> {
  const { db } = deps;
  const address = email.toLowerCase();
  const since = new Date(Date.now() - CODE_TTL_MINUTES * 60_000).toISOString();
  const recent = await db('one_time_codes').where({ email: address }).where('created_at', '>', since).count({ n: '*' }).first();
  if (Number(recent?.n ?? 0) >= MAX_CODES_PER_ADDRESS) {
    await inTransaction(db, (trx) => appendAudit(trx, ctx, { action: 'auth.code_requested', target: `email:${address}`, outcome: 'denied', details: { reason: 'rate limit per address' } }));
    throw new AppError(429, 'too_many_codes', 'otp.tooMany');
  }
  await inTransaction(db, async (trx) => {
    const stamp = new Date();
    const [row] = await trx('one_time_codes')
      .insert({ email: address, code_hash: newCode().hash, expires_at: new Date(stamp.getTime() + CODE_TTL_MINUTES * 60_000).toISOString(), created_at: stamp.toISOString() })
      .returning('id');
    const id = (row as { id: number }).id;
    const text = t('mail.code.body', { code: CODE_PLACEHOLDER, link: CODE_LINK_PLACEHOLDER, minutes: CODE_TTL_MINUTES });
    const mail = await queueMail(trx, {
      dedupeKey: `code:${id}`,
      to: address,
      subject: t('mail.code.subject'),
      text: `${text}\n\n-- \n${t('mail.footer')}`,
      html: '',
    });
    await addOutbox(trx, 'mail.send', { mailId: mail.id });
    await appendAudit(trx, ctx, { action: 'auth.code_requested', target: `email:${address}` });
  });
}

/** Called by the mail job right before sending: mints the code, stores its hash, returns it. */
export async function mintCode(db: Db | Tx, codeId: number): Promise<string | null> {
  const { code, hash } = newCode();
  const n = await db('one_time_codes').where({ id: codeId }).whereNull('consumed_at').where('expires_at', '>', new Date().toISOString()).update({ code_hash: hash });
  return Number(n) === 1 ? code : null;
}

/**
 * Wrong codes for one address in the last minute, up to `budget`. The audit log already records each
 * failure in its own transaction, so it is the counter: it holds across web processes and client
 * addresses, and no one can reset it.
 */
async function recentWrongCodes(db: Db, address: string, budget: number): Promise<number> {
  const since = new Date(Date.now() - 60_000).toISOString();
  const rows = await db('audit_events')
    .where({ target: `email:${address}`, action: 'auth.code_used', outcome: 'failure' })
    .where('at', '>', since)
    .orderBy('seq', 'desc')
    .limit(budget)
    .select('seq');
  return rows.length;
}

/**
 * Consumes a code once; the same vague answer for wrong, used and expired codes. Guesses are limited
 * per address (the sign-in limit per minute, as for any account), whatever client they come from;
 * while the limit holds, even the right code waits, or guessing would still pay.
 */
export async function consumeCode(deps: Deps, ctx: AuditContext, email: string, code: string): Promise<string> {
  const address = email.toLowerCase();
  const budget = deps.config.rateLimits.signInPerMinute;
  if ((await recentWrongCodes(deps.db, address, budget)) >= budget) {
    await inTransaction(deps.db, (trx) =>
      appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}`, outcome: 'denied', details: { reason: 'rate limit per address' } }),
    );
    throw new AppError(429, 'too_many_attempts', 'otp.tooManyAttempts');
  }
  const stamp = new Date().toISOString();
  const used = await inTransaction(deps.db, async (trx) => {
    const n = await trx('one_time_codes')
      .where({ email: address, code_hash: hashCode(code) })
      .whereNull('consumed_at')
      .where('expires_at', '>', stamp)
      .update({ consumed_at: stamp });
    if (Number(n) === 1) await appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}` });
    return Number(n) === 1;
  });
  if (!used) {
    // Recorded in its own transaction: the failed attempt must stay in the log.
    await inTransaction(deps.db, (trx) =>
      appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}`, outcome: 'failure', details: { reason: 'wrong, used or expired code' } }),
    );
    throw new AppError(401, 'bad_code', 'otp.invalid');
  }
  return address;
}
