// Sign-in by e-mail for partners whose organization has no IdP: a single-use code, valid for ten
// minutes, 128 random bits, of which only the hash is stored. The code itself is minted by the mail
// job when the message leaves (like invitation tokens), so no usable code ever sits in the database.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction, type Db, type Tx } from '../db/knex.ts';
import { queueMail } from '../db/mail.ts';
import { addOutbox } from '../db/outbox.ts';
import { AppError } from '../domain/errors.ts';
import { t } from '../i18n/t.ts';

export const CODE_TTL_MINUTES = 10;
// Codes asked for one address from one client address, per CODE_TTL_MINUTES: a stranger asking for
// someone's codes spends their own allowance, not the owner's.
const MAX_CODES_PER_ADDRESS_AND_CLIENT = 3;
// And from all clients together, per CODE_TTL_MINUTES: bounds the mail anyone can send to one mailbox.
// Every code sent stays valid for its ten minutes, so whoever reads the mailbox still signs in with
// the newest one when strangers have used this up.
const MAX_CODES_PER_ADDRESS = 10;

/**
 * Wrong codes typed for an address while a code was live, after which that code is retired (and the
 * right code, typed next, gets a new one mailed): as many as one client may send in the code's whole
 * life under the sign-in limit per client address, so only many clients together ever retire a code.
 * Guessing 128 bits is hopeless whatever the count (NIST SP 800-63B requires throttling of out-of-band
 * and look-up secrets only below 64 bits); what matters is that wrong codes can only retire a code,
 * never refuse the right one while it is live.
 */
export const wrongCodesPerCode = (config: Config): number => config.rateLimits.signInPerMinute * CODE_TTL_MINUTES;

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
  const refuse = async (reason: string, message: string) => {
    await inTransaction(db, (trx) => appendAudit(trx, ctx, { action: 'auth.code_requested', target: `email:${address}`, outcome: 'denied', details: { reason } }));
    throw new AppError(429, 'too_many_codes', message);
  };
  if ((await codesRequestedFromClient(db, address, ctx.ip, since, MAX_CODES_PER_ADDRESS_AND_CLIENT)) >= MAX_CODES_PER_ADDRESS_AND_CLIENT) {
    await refuse('rate limit per address and client', 'otp.tooMany');
  }
  const recent = await db('one_time_codes').where({ email: address }).where('created_at', '>', since).count({ n: '*' }).first();
  if (Number(recent?.n ?? 0) >= MAX_CODES_PER_ADDRESS) await refuse('rate limit per address', 'otp.tooManyUseNewest');
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
 * Codes this client address asked for this e-mail address since `since`, up to `budget`: read from the
 * audit log, which records each request in the transaction that makes the code, so the count holds
 * across web processes and nobody can reset it.
 */
async function codesRequestedFromClient(db: Db, address: string, ip: string | null, since: string, budget: number): Promise<number> {
  const rows = await db('audit_events')
    .where({ target: `email:${address}`, action: 'auth.code_requested', outcome: 'success', ip })
    .where('at', '>', since)
    .orderBy('seq', 'desc')
    .limit(budget)
    .select('seq');
  return rows.length;
}

/** Wrong codes typed for one address since `since` (a code's creation), up to `budget`; the audit log is the counter. */
async function wrongCodesSince(db: Db | Tx, address: string, since: string, budget: number): Promise<number> {
  const rows = await db('audit_events')
    .where({ target: `email:${address}`, action: 'auth.code_used', outcome: 'failure' })
    .where('at', '>', since)
    .orderBy('seq', 'desc')
    .limit(budget)
    .select('seq');
  return rows.length;
}

/** The right code, for a code retired by too many wrong ones: a new code was mailed. */
export const codeRetired = () => new AppError(401, 'code_retired', 'otp.retired');

/**
 * Consumes a code once; the same vague answer for wrong, used and expired codes. Wrong codes never
 * hold back the right one: a stranger typing guesses for someone's address from many clients must
 * not lock its owner out (each client's guesses are bounded by the sign-in limit per client). They
 * count against each code live while they were typed: past wrongCodesPerCode that code is
 * retired, and the person who then types it right gets a new one by mail.
 */
export async function consumeCode(deps: Deps, ctx: AuditContext, email: string, code: string): Promise<string> {
  const address = email.toLowerCase();
  const stamp = new Date().toISOString();
  const cap = wrongCodesPerCode(deps.config);
  const outcome = await inTransaction(deps.db, async (trx) => {
    const live = await trx('one_time_codes')
      .where({ email: address, code_hash: hashCode(code) })
      .whereNull('consumed_at')
      .where('expires_at', '>', stamp)
      .first('id', 'created_at');
    if (!live) return 'wrong' as const;
    if ((await wrongCodesSince(trx, address, live.created_at, cap)) >= cap) {
      await trx('one_time_codes').where({ id: live.id }).update({ expires_at: stamp });
      await appendAudit(trx, ctx, {
        action: 'auth.code_used',
        target: `email:${address}`,
        outcome: 'denied',
        details: { reason: 'code retired: too many wrong codes while it was live' },
      });
      return 'retired' as const;
    }
    // Conditional: of two posts of the same code, one signs in.
    const n = await trx('one_time_codes').where({ id: live.id }).whereNull('consumed_at').update({ consumed_at: stamp });
    if (Number(n) !== 1) return 'wrong' as const;
    await appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}` });
    return 'used' as const;
  });
  if (outcome === 'retired') {
    await requestCode(deps, ctx, address);
    throw codeRetired();
  }
  if (outcome === 'wrong') {
    // Recorded in its own transaction: the failed attempt must stay in the log.
    await inTransaction(deps.db, (trx) =>
      appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}`, outcome: 'failure', details: { reason: 'wrong, used or expired code' } }),
    );
    throw new AppError(401, 'bad_code', 'otp.invalid');
  }
  return address;
}
