import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { listOrganizationsWithDomains, organizationDetail } from '../../../db/organizations.ts';
import { listAllIdps } from '../../../db/identityProviders.ts';
import { listMembers } from '../../../db/users.ts';
import { listAllItems } from '../../../db/catalog.ts';
import { saveOrganization } from '../../../commands/admin/saveOrganization.ts';
import { organizationForm } from '../../forms/organization.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

const asList = (v: unknown) => ([] as unknown[]).concat(v ?? []).map(String);

export function organizationRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  async function form(req: Request, res: Response, id: number | null, values: Record<string, unknown>, extra = {}, status = 200) {
    render(req, res, 'admin/orgs/form', {
      title: id ? 'orgs.editTitle' : 'orgs.newTitle',
      orgId: id,
      values,
      idps: (await listAllIdps(db)).filter((i) => i.kind !== 'email'),
      members: await listMembers(db),
      items: await listAllItems(db),
      ...extra,
    }, status);
  }

  r.get('/admin/organizations', async (req, res) => {
    render(req, res, 'admin/orgs/list', { title: 'orgs.title', orgs: await listOrganizationsWithDomains(db), saved: req.query.saved });
  });
  r.get('/admin/organizations/new', (req, res) => form(req, res, null, { policy: 'allow' }));
  r.get('/admin/organizations/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const org = id ? await organizationDetail(db, id) : undefined;
    if (!org) throw notFound();
    await form(req, res, org.id, { ...org, domains: org.domains.join('\n') });
  });

  const save = async (req: Request, res: Response, id: number | null) => {
    try {
      const saved = await saveOrganization(deps, auditContext(req), id, organizationForm(req.body));
      res.redirect(303, `/admin/organizations?saved=${saved}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const b = req.body ?? {};
      await form(req, res, id, { ...b, sponsors: asList(b.sponsors), auto_items: asList(b.auto_items) }, { fields: err.fields, notice: { key: 'errors.invalidForm' } }, 400);
    }
  };
  r.post('/admin/organizations', csrfProtection, (req, res) => save(req, res, null));
  r.post('/admin/organizations/:id', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    await save(req, res, id);
  });
  return r;
}
