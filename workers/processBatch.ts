// Works through a batch of direct invitations, one row per transaction, so progress is visible
// and a crash resumes where it stopped. Only rows still "pending" are touched, so a rerun is harmless.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { inTransaction } from '../src/db/knex.ts';
import { findBatch, isRowPending, markBatchDone, markBatchRunning, nextPendingRow, recordRowResult, type BatchRow } from '../src/db/batches.ts';
import { findItemsByIds } from '../src/db/catalog.ts';
import { findOrgForDomain } from '../src/db/organizations.ts';
import { findUserById } from '../src/db/users.ts';
import { inviteGuest } from '../src/commands/inviteGuest.ts';
import { emailDomain } from '../src/domain/principal.ts';
import { isDenied } from '../src/domain/organizationPolicy.ts';

export async function processBatch(deps: Deps, ctx: AuditContext, data: { batchId: number }, onRow?: () => void): Promise<'done' | 'skipped'> {
  const { db, config } = deps;
  const batch = await findBatch(db, data.batchId);
  if (!batch || batch.status === 'done') return 'skipped';
  await markBatchRunning(db, batch.id);
  const items = await findItemsByIds(db, JSON.parse(batch.item_ids) as number[]);
  const inviter = await findUserById(db, batch.created_by);
  for (;;) {
    const row = await nextPendingRow(db, batch.id);
    if (!row) break;
    await inTransaction(db, async (trx) => {
      if (!(await isRowPending(trx, row.id))) return;
      const org = await findOrgForDomain(trx, emailDomain(row.email));
      let result: BatchRow['result'];
      let detail: string | null = null;
      if (isDenied(org)) {
        result = 'refused_domain';
        detail = org.name;
      } else {
        const r = await inviteGuest(trx, config, ctx, {
          email: row.email,
          displayName: row.display_name ?? row.email.split('@')[0],
          items,
          invitedBy: batch.created_by,
          sponsorName: inviter?.display_name ?? '',
          source: 'invitation',
          batchId: batch.id,
          message: batch.message,
          cc: batch.cc ? batch.cc.split(' ') : [],
          redirectUrl: batch.redirect_url,
        });
        result = r.outcome;
      }
      await recordRowResult(trx, batch.id, row.id, result, detail);
    });
    onRow?.();
  }
  await markBatchDone(db, batch.id);
  return 'done';
}
