// Direct invitations: admins for any item, owners for their self-service items. The batch runs in
// the worker; the progress page refreshes itself (no JavaScript) until every row has a result.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../deps.ts';
import { listAllItems, selfServiceItemsOwnedBy } from '../../db/catalog.ts';
import { batchRows, findBatch, recentBatches } from '../../db/batches.ts';
import { startInvitationBatch } from '../../commands/startInvitationBatch.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { can } from '../../domain/policies.ts';
import type { CatalogItem } from '../../db/rows.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { csvUpload, uploadedText } from '../middleware/upload.ts';
import { bodyGuard } from '../middleware/bodyGuard.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { parseId, render } from '../render.ts';

export function invitationRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  const isAdmin = (req: Request) => can(principalOf(req), 'admin:manage');

  /** Admins may invite to anything; an owner only to the self-service items they own. */
  async function invitable(req: Request): Promise<CatalogItem[]> {
    return isAdmin(req) ? listAllItems(db) : selfServiceItemsOwnedBy(db, principalOf(req)!.userId!);
  }

  async function page(req: Request, res: Response, values: Record<string, unknown> = {}, extra = {}, status = 200) {
    const p = principalOf(req)!;
    render(req, res, 'invitations/new', {
      title: 'invite.title',
      items: await invitable(req),
      values: { items: [], ...values },
      batches: await recentBatches(db, isAdmin(req) ? null : p.userId),
      adminView: isAdmin(req),
      ...extra,
    }, status);
  }

  const members = requireAbility(db, 'owner:console');
  r.get('/invitations', members, (req, res) => page(req, res, { items: ([] as unknown[]).concat(req.query.item ?? []).map(String) }));
  r.post('/invitations', members, csvUpload, bodyGuard, csrfProtection, async (req, res) => {
    const allowed = isAdmin(req) ? null : new Set((await invitable(req)).map((i) => i.id));
    try {
      const id = await startInvitationBatch(deps, auditContext(req), principalOf(req)!.userId!, req.body, uploadedText(req), allowed);
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
    if (!isAdmin(req) && batch.created_by !== principalOf(req)!.userId) {
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
