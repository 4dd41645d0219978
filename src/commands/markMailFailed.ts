// A message whose retries are spent is given up for good, and the audit log says so.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { failMail } from '../db/mail.ts';

export async function markMailFailed(deps: Deps, ctx: AuditContext, mailId: number): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const mail = await failMail(trx, mailId);
    if (!mail) return;
    await appendAudit(trx, ctx, {
      action: 'mail.failed',
      target: `mail:${mailId}`,
      outcome: 'failure',
      details: { to: mail.to_address, subject: mail.subject, attempts: mail.attempts, error: mail.last_error },
    });
  });
}
