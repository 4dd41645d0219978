// Direct invitations: admins for any item, owners for their self-service items. The batch runs in
// the worker; the progress page refreshes itself (no JavaScript) until every row has a result.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { listAllItems, selfServiceItemsOwnedBy } from '../../db/catalog.ts';
import { batchRows, findBatch, recentBatches } from '../../db/batches.ts';
import { startInvitationBatch, type InvitationBatchInput } from '../../commands/startInvitationBatch.ts';
import { AppError, invalid, notFound } from '../../domain/errors.ts';
import { parseInviteRows } from '../../domain/inviteList.ts';
import { batchesListedFor, can, invitableItems } from '../../domain/policies.ts';
import type { CatalogItem } from '../../db/rows.ts';
import { emailList, fieldErrors, idList } from '../forms/fields.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { csvUpload, uploadedText } from '../middleware/upload.ts';
import { bodyGuard } from '../middleware/bodyGuard.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { parseId, render } from '../render.ts';

const batchSchema = z.object({
  emails: z.string().max(200_000).default(''),
  items: idList.refine((ids) => ids.length > 0, 'invite.chooseItems'),
  message: z.string().trim().max(2000).default(''),
  cc: z.string().default('').pipe(emailList).refine((l) => l.length <= 10, 'invite.tooManyCc'),
  redirect: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/).transform(Number)]).default(''),
});

/** The form and its CSV, read; a wrong field throws with every wrong field marked, the address list's too. */
function batchInput(body: unknown, csv: string | null): InvitationBatchInput {
  const parsed = batchSchema.safeParse(body);
  // The addresses are read even when another field is wrong, so only the wrong field is marked.
  const pasted = typeof (body as { emails?: unknown })?.emails === 'string' ? String((body as { emails: string }).emails).slice(0, 200_000) : '';
  const rows = parseInviteRows(pasted, csv);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    if ('error' in rows) fields.emails = rows.error;
    throw invalid('errors.invalidForm', fields);
  }
  const v = parsed.data;
  return { itemIds: v.items, message: v.message || null, cc: v.cc, redirectItemId: v.redirect || null, rows };
}

export function invitationRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  async function page(req: Request, res: Response, values: Record<string, unknown> = {}, extra = {}, status = 200) {
    const p = principalOf(req)!;
    const items: CatalogItem[] = await invitableItems(p, { all: () => listAllItems(db), ownedSelfService: () => selfServiceItemsOwnedBy(db, p.userId!) });
    render(req, res, 'invitations/new', {
      title: 'invite.title',
      items,
      values: { items: [], ...values },
      batches: await recentBatches(db, batchesListedFor(p)),
      adminView: can(p, 'admin:manage'),
      ...extra,
    }, status);
  }

  const members = requireAbility(db, 'owner:console');
  r.get('/invitations', members, (req, res) => page(req, res, { items: ([] as unknown[]).concat(req.query.item ?? []).map(String) }));
  r.post('/invitations', members, csvUpload, bodyGuard, csrfProtection, async (req, res) => {
    try {
      const id = await startInvitationBatch(deps, auditContext(req), principalOf(req)!, batchInput(req.body, uploadedText(req)));
      res.redirect(303, `/invitations/batches/${id}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const b = req.body ?? {};
      await page(req, res, { ...b, items: ([] as unknown[]).concat(b.items ?? []).map(String) }, { fields: err.fields, notice: { key: 'errors.invalidForm' } }, 400);
    }
  });

  r.get('/invitations/batches/:id', members, async (req, res) => {
    const batch = await findBatch(db, parseId(req.params.id) ?? 0);
    // Owners see their own batches only; someone else's answers like a missing one.
    if (!batch) throw notFound();
    if (!can(principalOf(req), 'batch:read', { batch })) {
      await recordRefusal(db, auditContext(req), 'invitation.batch_read', `batch:${batch.id}`, 'not the batch creator');
      throw notFound();
    }
    const rows = await batchRows(db, batch.id);
    if (batch.status !== 'done') res.setHeader('Refresh', '2');
    render(req, res, 'invitations/batch', {
      title: 'invite.batchTitle',
      titleParams: { id: batch.id },
      batch,
      rows,
      counts: rows.reduce<Record<string, number>>((acc, row) => ((acc[row.result] = (acc[row.result] ?? 0) + 1), acc), {}),
    });
  });
  return r;
}
