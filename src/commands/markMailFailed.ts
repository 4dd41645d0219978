import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';

export async function markMailFailed(deps: Deps, ctx: AuditContext, mailId: number): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const n = await trx('mail_messages').where({ id: mailId, status: 'queued' }).update({ status: 'failed', claimed_until: null });
    if (!Number(n)) return;
    const mail = await trx('mail_messages').where({ id: mailId }).first('to_address', 'subject', 'last_error', 'attempts');
    await appendAudit(trx, ctx, {
      action: 'mail.failed',
      target: `mail:${mailId}`,
      outcome: 'failure',
      details: { to: mail.to_address, subject: mail.subject, attempts: mail.attempts, error: mail.last_error },
    });
  });
}
