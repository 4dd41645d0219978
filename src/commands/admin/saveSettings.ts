import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { readSettings, writeSettings, type Settings } from '../../db/settings.ts';

export async function saveSettings(deps: Deps, ctx: AuditContext, next: Settings): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    // Read inside the transaction: the audit event's "before" is what this write replaced.
    const before = await readSettings(trx);
    await writeSettings(trx, next);
    await appendAudit(trx, ctx, {
      action: 'settings.updated',
      target: 'settings',
      details: {
        changes: {
          unknownDomainsMayRequest: [before.unknownDomainsMayRequest, next.unknownDomainsMayRequest],
          defaultLanguage: [before.defaultLanguage, next.defaultLanguage],
          requestTimeouts: [before.requestTimeouts, next.requestTimeouts],
          accessExpiry: [before.accessExpiry, next.accessExpiry],
        },
      },
    });
  });
}
