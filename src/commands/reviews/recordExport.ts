// A review's result leaves the product (names, e-mails, reasons): each download is on record.
import type { Db } from '../../db/knex.ts';
import { inTransaction } from '../../db/knex.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';

export async function recordReviewExport(db: Db, ctx: AuditContext, campaignId: number, rows: number): Promise<void> {
  await inTransaction(db, (trx) => appendAudit(trx, ctx, { action: 'review.exported', target: `review:${campaignId}`, details: { format: 'csv', rows } }));
}
