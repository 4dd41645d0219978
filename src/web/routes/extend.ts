// A guest asks for more time on a membership: the page the expiry notice's button opens (GET shows
// it and changes nothing: mail scanners follow links) and the POST that asks, from that page or from
// My access's button. Signed in as the guest; a membership that is not hers answers 404.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { openExtensionOf } from '../../db/membershipNotices.ts';
import { extendableMembership, ExtensionPending, requestExtension } from '../../commands/requestExtension.ts';
import { notFound } from '../../domain/errors.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { parseId, render } from '../render.ts';

const extensionForm = z.object({ reason: z.string().trim().max(2000).optional().default('') });

export function extendRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  const page = async (req: Request, res: Response, extra: { reason?: string; fields?: Record<string, string> } = {}, status = 200) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const m = await extendableMembership(deps, principalOf(req)!, id);
    const open = await openExtensionOf(db, m.id);
    render(
      req,
      res,
      'partner/extend',
      { title: 'expiry.extend.title', titleParams: { item: m.item_name }, m, pending: open ?? null, ended: Boolean(m.access_ended_at), reason: extra.reason ?? '', fields: extra.fields ?? {} },
      status,
    );
  };

  r.get('/access/extend/:id', requireAbility(db, 'access:extend'), async (req, res) => page(req, res));

  r.post('/access/extend/:id', csrfProtection, requireAbility(db, 'access:extend'), async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const parsed = extensionForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, 4000) : '';
      return page(req, res, { reason, fields: { reason: 'expiry.extend.tooLong' } }, 400);
    }
    try {
      const { automatic } = await requestExtension(deps, auditContext(req), principalOf(req)!, id, parsed.data.reason);
      res.redirect(303, `/access?extension=${automatic ? 'granted' : 'asked'}`);
    } catch (err) {
      // Asked already (another tab, the mail's button after My access's): nothing new, and she is told so.
      if (err instanceof ExtensionPending) return page(req, res, {}, 409);
      throw err;
    }
  });

  return r;
}
