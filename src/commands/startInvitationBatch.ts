import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findItemsByIds } from '../db/catalog.ts';
import { addOutbox } from '../db/outbox.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import { parseInviteRows } from '../domain/inviteList.ts';
import { emailList, fieldErrors, idList } from '../domain/validation.ts';
import { recordRefusal } from './recordRefusal.ts';

const schema = z.object({
  emails: z.string().max(200_000).default(''),
  items: idList.refine((ids) => ids.length > 0, 'invite.chooseItems'),
  message: z.string().trim().max(2000).default(''),
  cc: z.string().default('').pipe(emailList).refine((l) => l.length <= 10, 'invite.tooManyCc'),
  redirect: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/).transform(Number)]).default(''),
});

/**
 * Checks the whole form, stores the batch and one row per address (malformed ones already
 * answered), and leaves the rest to the batch job. `allowedItems` limits an owner to their items.
 */
export async function startInvitationBatch(
  deps: Deps,
  ctx: AuditContext,
  by: number,
  form: unknown,
  csv: string | null,
  allowedItems: Set<number> | null,
): Promise<number> {
  const parsed = schema.safeParse(form);
  const fields = parsed.success ? {} : fieldErrors(parsed.error);
  // The addresses are read even when another field is wrong, so only the wrong field is marked.
  const pasted = typeof (form as { emails?: unknown })?.emails === 'string' ? String((form as { emails: string }).emails).slice(0, 200_000) : '';
  const rows = parseInviteRows(pasted, csv);
  if ('error' in rows) fields.emails = rows.error;
  const v = parsed.success ? parsed.data : null;
  const items = v ? await findItemsByIds(deps.db, v.items) : [];
  if (v && items.length !== v.items.length) fields.items = 'validation.choice';
  if (v && allowedItems && v.items.some((id) => !allowedItems.has(id))) {
    await recordRefusal(deps.db, ctx, 'invitation.batch', null, 'item not owned by this self-service owner');
    throw forbidden();
  }
  // The only redirects allowed are the launch URLs of chosen apps: never an address typed in.
  const redirect = v && v.redirect ? items.find((i) => i.id === v.redirect && i.kind === 'app')?.launch_url : null;
  if (v && v.redirect && !redirect) fields.redirect = 'validation.choice';
  if (Object.keys(fields).length || !v || 'error' in rows) throw invalid('errors.invalidForm', fields);

  return inTransaction(deps.db, async (trx) => {
    const [b] = await trx('invitation_batches')
      .insert({
        created_by: by,
        status: 'queued',
        total: rows.length,
        processed: rows.filter((r) => r.problem).length,
        item_ids: JSON.stringify(v.items),
        message: v.message || null,
        cc: v.cc.length ? v.cc.join(' ') : null,
        redirect_url: redirect ?? null,
        created_at: new Date().toISOString(),
      })
      .returning('id');
    const batchId = (b as { id: number }).id;
    for (let i = 0; i < rows.length; i += 200) {
      await trx('invitation_batch_rows').insert(
        rows.slice(i, i + 200).map((r) => ({
          batch_id: batchId,
          row_number: r.rowNumber,
          email: r.email,
          display_name: r.name,
          result: r.problem ? (r.problem === 'invite.result.duplicate' ? 'duplicate' : 'malformed') : 'pending',
          detail: null,
        })),
      );
    }
    await appendAudit(trx, ctx, {
      action: 'invitation.batch_started',
      target: `batch:${batchId}`,
      details: { rows: rows.length, items: items.map((i) => i.name), cc: v.cc, redirect: redirect ?? null },
    });
    await addOutbox(trx, 'batch.process', { batchId });
    return batchId;
  });
}
