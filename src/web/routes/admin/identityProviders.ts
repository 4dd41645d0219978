import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { findIdpById, listAllIdps } from '../../../db/identityProviders.ts';
import { saveIdp } from '../../../commands/admin/saveIdp.ts';
import { setIdpEnabled } from '../../../commands/admin/setIdpEnabled.ts';
import { testIdpConnection } from '../../../commands/admin/testIdpConnection.ts';
import { identityProviderForm } from '../../forms/identityProvider.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { callbackPath } from '../../../auth/strategies.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

export function idpRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  const form = (req: Parameters<typeof render>[0], res: Parameters<typeof render>[1], idp: Record<string, unknown> | null, extra = {}, status = 200) =>
    render(req, res, 'admin/idps/form', {
      title: idp?.id ? 'idps.editTitle' : 'idps.newTitle',
      idp,
      values: idp ?? { scopes: 'openid email profile', kind: 'partner' },
      callbackUrl: idp?.slug ? `${deps.config.publicUrl}${callbackPath(String(idp.slug))}` : null,
      ...extra,
    }, status);

  r.get('/admin/idps', async (req, res) => {
    render(req, res, 'admin/idps/list', { title: 'idps.title', idps: await listAllIdps(db), publicUrl: deps.config.publicUrl, saved: req.query.saved });
  });
  r.get('/admin/idps/new', (req, res) => form(req, res, null));
  r.get('/admin/idps/:id', async (req, res) => {
    const idp = await findIdpById(db, parseId(req.params.id) ?? 0);
    if (!idp || idp.kind === 'email') throw notFound();
    const { client_secret: _secret, ...shown } = idp; // the secret is never sent back to a browser
    form(req, res, shown);
  });

  const save = (id: number | null) => async (req: Parameters<typeof render>[0], res: Parameters<typeof render>[1]) => {
    try {
      const savedId = await saveIdp(deps, auditContext(req), id, identityProviderForm(req.body));
      res.redirect(303, `/admin/idps?saved=${savedId}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const { client_secret: _s, ...values } = req.body ?? {};
      form(req, res, id ? { id, slug: values.slug } : null, { values, fields: err.fields, notice: { key: 'errors.invalidForm' } }, 400);
    }
  };
  r.post('/admin/idps', csrfProtection, save(null));
  r.post('/admin/idps/:id', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    return save(id)(req, res);
  });

  r.post('/admin/idps/:id/enabled', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    await setIdpEnabled(deps, auditContext(req), id, req.body?.enabled === 'true');
    res.redirect(303, '/admin/idps');
  });

  r.post('/admin/idps/:id/test', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const report = await testIdpConnection(deps, auditContext(req), id);
    const { client_secret: _secret, ...shown } = (await findIdpById(db, id))!;
    form(req, res, shown, { report });
  });

  return r;
}
