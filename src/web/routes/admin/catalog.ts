import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { findItem, listAllItems, ownersOf } from '../../../db/catalog.ts';
import { listMembers } from '../../../db/users.ts';
import { readSettings } from '../../../db/settings.ts';
import { saveCatalogItem } from '../../../commands/admin/saveCatalogItem.ts';
import { catalogItemForm } from '../../forms/catalogItem.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

export function catalogRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  const form = async (req: Request, res: Response, id: number | null, values: Record<string, unknown>, extra = {}, status = 200) =>
    render(req, res, 'admin/catalog/form', { title: id ? 'catalog.editTitle' : 'catalog.newTitle', itemId: id, values, members: await listMembers(db), timeoutDefaults: (await readSettings(db)).requestTimeouts, ...extra }, status);

  r.get('/admin/catalog', async (req, res) => {
    const items = await listAllItems(db);
    const owners = new Map(await Promise.all(items.map(async (i) => [i.id, (await ownersOf(db, i.id)).map((u) => u.email)] as const)));
    render(req, res, 'admin/catalog/list', { title: 'catalog.title', items, owners, saved: req.query.saved });
  });
  r.get('/admin/catalog/new', (req, res) => form(req, res, null, { kind: 'app', requestable: true, audience: 'anyone' }));
  r.get('/admin/catalog/:id', async (req, res) => {
    const item = await findItem(db, parseId(req.params.id) ?? 0);
    if (!item) throw notFound();
    await form(req, res, item.id, { ...item, owners: (await ownersOf(db, item.id)).map((u) => u.id) });
  });
  const save = async (req: Request, res: Response, id: number | null) => {
    try {
      const saved = await saveCatalogItem(deps, auditContext(req), id, catalogItemForm(req.body));
      res.redirect(303, `/admin/catalog?saved=${saved}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const b = req.body ?? {};
      await form(req, res, id, { ...b, requestable: b.requestable !== undefined, self_service: b.self_service !== undefined, owners: ([] as unknown[]).concat(b.owners ?? []) }, { fields: err.fields, notice: { key: 'errors.invalidForm' } }, 400);
    }
  };
  r.post('/admin/catalog', csrfProtection, (req, res) => save(req, res, null));
  r.post('/admin/catalog/:id', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    await save(req, res, id);
  });
  return r;
}
