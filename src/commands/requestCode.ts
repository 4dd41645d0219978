// Sign-in by e-mail for partners whose organization has no IdP: a single-use code, valid for ten
// minutes, 128 random bits, of which only the hash is stored. The code itself is minted by the mail
// job when the message leaves (like invitation tokens), so no usable code ever sits in the database.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { queueSystemMail } from '../mail/send.ts';
import { codesAskedFromClient, codesMadeSince, insertOneTimeCode } from '../db/oneTimeCodes.ts';
import { AppError } from '../domain/errors.ts';
import { codeMail } from '../mail/templates.ts';
import type { Locale } from '../i18n/locales.ts';

export const CODE_TTL_MINUTES = 10;
// Codes asked for one address from one client address, per CODE_TTL_MINUTES: a stranger asking for
// someone's codes spends their own allowance, not the owner's.
const MAX_CODES_PER_ADDRESS_AND_CLIENT = 3;
// And from all clients together, per CODE_TTL_MINUTES: bounds the mail anyone can send to one mailbox.
// Every code sent stays valid for its ten minutes, so whoever reads the mailbox still signs in with
// the newest one when strangers have used this up.
const MAX_CODES_PER_ADDRESS = 10;

/** `lang`: the language of the page where the code was asked, which the mail speaks. */
export async function requestCode(deps: Deps, ctx: AuditContext, email: string, lang?: Locale): Promise<void> {
  const { db } = deps;
  const address = email.toLowerCase();
  const since = new Date(Date.now() - CODE_TTL_MINUTES * 60_000).toISOString();
  const refuse = async (reason: string, message: string) => {
    await inTransaction(db, (trx) => appendAudit(trx, ctx, { action: 'auth.code_requested', target: `email:${address}`, outcome: 'denied', details: { reason } }));
    throw new AppError(429, 'too_many_codes', message);
  };
  if ((await codesAskedFromClient(db, address, ctx.ip, since, MAX_CODES_PER_ADDRESS_AND_CLIENT)) >= MAX_CODES_PER_ADDRESS_AND_CLIENT) {
    await refuse('rate limit per address and client', 'otp.tooMany');
  }
  if ((await codesMadeSince(db, address, since)) >= MAX_CODES_PER_ADDRESS) await refuse('rate limit per address', 'otp.tooManyUseNewest');
  await inTransaction(db, async (trx) => {
    const id = await insertOneTimeCode(trx, address, new Date(Date.now() + CODE_TTL_MINUTES * 60_000));
    await queueSystemMail(trx, codeMail({ id, email: address }, CODE_TTL_MINUTES, lang));
    await appendAudit(trx, ctx, { action: 'auth.code_requested', target: `email:${address}` });
  });
}
