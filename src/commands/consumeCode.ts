// Signs in with a mailed one-time code (see requestCode.ts): the code is consumed once, and wrong
// codes can retire a code but never refuse the right one while it is live.
import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { consumeOneTimeCode, findUsableCode, retireOneTimeCode, wrongCodesSince } from '../db/oneTimeCodes.ts';
import { AppError } from '../domain/errors.ts';
import { hashCode } from '../domain/tokens.ts';
import { CODE_TTL_MINUTES, requestCode } from './requestCode.ts';
import type { Locale } from '../i18n/locales.ts';

/**
 * Wrong codes typed for an address while a code was live, after which that code is retired (and the
 * right code, typed next, gets a new one mailed): as many as one client may send in the code's whole
 * life under the sign-in limit per client address, so only many clients together ever retire a code.
 * Guessing 128 bits is hopeless whatever the count (NIST SP 800-63B requires throttling of out-of-band
 * and look-up secrets only below 64 bits); what matters is that wrong codes can only retire a code,
 * never refuse the right one while it is live.
 */
export const wrongCodesPerCode = (config: Config): number => config.rateLimits.signInPerMinute * CODE_TTL_MINUTES;

/** The right code, for a code retired by too many wrong ones: a new code was mailed. */
export const codeRetired = () => new AppError(401, 'code_retired', 'otp.retired');

/**
 * Consumes a code once; the same vague answer for wrong, used and expired codes. Wrong codes never
 * hold back the right one: a stranger typing guesses for someone's address from many clients must
 * not lock its owner out (each client's guesses are bounded by the sign-in limit per client). They
 * count against each code live while they were typed: past wrongCodesPerCode that code is
 * retired, and the person who then types it right gets a new one by mail.
 */
/** `lang`: the page's language, for the new code mailed when this one was retired. */
export async function consumeCode(deps: Deps, ctx: AuditContext, email: string, code: string, lang?: Locale): Promise<string> {
  const address = email.toLowerCase();
  const cap = wrongCodesPerCode(deps.config);
  const outcome = await inTransaction(deps.db, async (trx) => {
    const live = await findUsableCode(trx, address, hashCode(code));
    if (!live) return 'wrong' as const;
    if ((await wrongCodesSince(trx, address, live.created_at, cap)) >= cap) {
      await retireOneTimeCode(trx, live.id);
      await appendAudit(trx, ctx, {
        action: 'auth.code_used',
        target: `email:${address}`,
        outcome: 'denied',
        details: { reason: 'code retired: too many wrong codes while it was live' },
      });
      return 'retired' as const;
    }
    if (!(await consumeOneTimeCode(trx, live.id))) return 'wrong' as const;
    await appendAudit(trx, ctx, { action: 'auth.code_used', target: `email:${address}` });
    return 'used' as const;
  });
  if (outcome === 'retired') {
    await requestCode(deps, ctx, address, lang);
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
