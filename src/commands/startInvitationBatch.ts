import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findItemsByIds, selfServiceItemsOwnedBy } from '../db/catalog.ts';
import { insertBatch, insertBatchRows } from '../db/batches.ts';
import { addOutbox } from '../db/outbox.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import type { InviteRow } from '../domain/inviteList.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import { recordRefusal } from './recordRefusal.ts';

/** A batch of direct invitations as the form asked for it, its fields already read. */
export interface InvitationBatchInput {
  itemIds: number[];
  message: string | null;
  cc: string[];
  /** A chosen app whose launch URL guests are sent to after redeeming; null for this portal. */
  redirectItemId: number | null;
  /** One row per address (malformed ones already answered), or why the list could not be read. */
  rows: InviteRow[] | { error: string };
}

/**
 * Checks what only the catalog can tell (the items exist, this person may invite to each of them,
 * the redirect is one of the chosen apps), stores the batch and one row per address, and leaves the
 * rest to the batch job. An unreadable address list is reported together with any wrong item.
 */
export async function startInvitationBatch(deps: Deps, ctx: AuditContext, by: Principal, input: InvitationBatchInput): Promise<number> {
  const { rows } = input;
  const fields: Record<string, string> = 'error' in rows ? { emails: rows.error } : {};
  const items = await findItemsByIds(deps.db, input.itemIds);
  if (items.length !== input.itemIds.length) fields.items = 'validation.choice';
  const owned = new Set((await selfServiceItemsOwnedBy(deps.db, by.userId ?? 0)).map((i) => i.id));
  if (input.itemIds.some((id) => !can(by, 'item:manage', { ownsItem: owned.has(id) }))) {
    await recordRefusal(deps.db, ctx, 'invitation.batch', null, 'item not owned by this self-service owner');
    throw forbidden();
  }
  // The only redirects allowed are the launch URLs of chosen apps: never an address typed in.
  const redirect = input.redirectItemId ? items.find((i) => i.id === input.redirectItemId && i.kind === 'app')?.launch_url : null;
  if (input.redirectItemId && !redirect) fields.redirect = 'validation.choice';
  if (Object.keys(fields).length || 'error' in rows) throw invalid('errors.invalidForm', fields);

  return inTransaction(deps.db, async (trx) => {
    const batchId = await insertBatch(trx, {
      created_by: by.userId!,
      total: rows.length,
      processed: rows.filter((r) => r.problem).length,
      item_ids: JSON.stringify(input.itemIds),
      message: input.message,
      cc: input.cc.length ? input.cc.join(' ') : null,
      redirect_url: redirect ?? null,
    });
    await insertBatchRows(
      trx,
      batchId,
      rows.map((r) => ({
        row_number: r.rowNumber,
        email: r.email,
        display_name: r.name,
        result: r.problem ? (r.problem === 'invite.result.duplicate' ? 'duplicate' : 'malformed') : 'pending',
        detail: null,
      })),
    );
    await appendAudit(trx, ctx, {
      action: 'invitation.batch_started',
      target: `batch:${batchId}`,
      details: { rows: rows.length, items: items.map((i) => i.name), cc: input.cc, redirect: redirect ?? null },
    });
    await addOutbox(trx, 'batch.process', { batchId });
    return batchId;
  });
}
