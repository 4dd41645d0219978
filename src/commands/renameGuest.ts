// A guest's display name, as she set it on a request: kept on her user and audited when it changes.
// Runs inside the caller's transaction.
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import { setChosenName } from '../db/displayNames.ts';

export async function renameGuest(trx: Tx, ctx: AuditContext, userId: number, name: string): Promise<void> {
  const before = await setChosenName(trx, userId, name);
  if (before !== undefined) await appendAudit(trx, ctx, { action: 'guest.renamed', target: `user:${userId}`, details: { changes: { display_name: [before, name] } } });
}
