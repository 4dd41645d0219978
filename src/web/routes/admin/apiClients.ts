// API clients: create (the token is shown once, on the answer to the POST, never in a URL), list
// with last use, revoke.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { listApiClients } from '../../../db/apiClients.ts';
import { createApiClient, revokeApiClient } from '../../../commands/apiClients.ts';
import { notFound } from '../../../domain/errors.ts';
import { SCOPES } from '../../../domain/scopes.ts';
import { t } from '../../../i18n/t.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';
import { apiClientForm } from '../../forms/apiClient.ts';

export function apiClientRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  // The scopes keep Graph's names; what each allows is said in the admin's language.
  const scopeOptions = (req: Request) => Object.keys(SCOPES).map((value) => ({ value, label: `${value}: ${t(`scope.${value}`, {}, req.lang)}` }));

  async function list(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    render(req, res, 'admin/apiClients/list', {
      title: 'apiClients.title',
      clients: await listApiClients(db),
      scopeOptions: scopeOptions(req),
      values: { scopes: [] },
      revoked: req.query.revoked,
      ...extra,
    }, status);
  }

  r.get('/admin/api-clients', (req, res) => list(req, res));
  r.post('/admin/api-clients', csrfProtection, async (req, res) => {
    const form = apiClientForm(req.body);
    if (!form.value) {
      const b = req.body ?? {};
      return list(req, res, { fields: form.fields, values: { name: b.name, scopes: ([] as unknown[]).concat(b.scopes ?? []) }, notice: { key: 'errors.invalidForm' } }, 400);
    }
    const { id, token } = await createApiClient(deps, auditContext(req), form.value, principalOf(req)!.userId);
    const client = (await listApiClients(db)).find((c) => c.id === id)!;
    render(req, res, 'admin/apiClients/created', {
      title: 'apiClients.newTitle',
      titleParams: { name: client.name },
      client,
      token,
      base: `${deps.config.publicUrl}/v1.0`,
    }, 201);
  });
  r.post('/admin/api-clients/:id/revoke', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    await revokeApiClient(deps, auditContext(req), id);
    res.redirect(303, '/admin/api-clients?revoked=1');
  });
  return r;
}
