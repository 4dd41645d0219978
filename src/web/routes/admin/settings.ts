import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { readSettings } from '../../../db/settings.ts';
import { saveSettings } from '../../../commands/admin/saveSettings.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

export function settingsRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/admin/settings', async (req, res) => {
    render(req, res, 'admin/settings', { title: 'settings.title', settings: await readSettings(deps.db), saved: req.query.saved });
  });
  r.post('/admin/settings', csrfProtection, async (req, res) => {
    // A check box: an unticked one is not sent at all.
    await saveSettings(deps, auditContext(req), { unknownDomainsMayRequest: req.body?.unknown_domains_may_request !== undefined });
    res.redirect(303, '/admin/settings?saved=1');
  });
  return r;
}
