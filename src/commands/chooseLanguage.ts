import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { setUserLocale } from '../db/users.ts';
import type { Locale } from '../i18n/locales.ts';

/** A signed-in person's language, remembered on their user so every browser and every mail follows it. */
export async function chooseLanguage(deps: Deps, ctx: AuditContext, userId: number, locale: Locale): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const before = await setUserLocale(trx, userId, locale);
    if (before === locale) return;
    await appendAudit(trx, ctx, { action: 'user.language_changed', target: `user:${userId}`, details: { changes: { locale: [before, locale] } } });
  });
}
