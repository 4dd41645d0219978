import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { readSettings, writeSettings } from '../../../db/settings.ts';
import { appendAudit } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

export function settingsRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/admin/settings', async (req, res) => {
    render(req, res, 'admin/settings', { title: 'settings.title', settings: await readSettings(deps.db), saved: req.query.saved });
  });
  r.post('/admin/settings', csrfProtection, async (req, res) => {
    const next = { unknownDomainsMayRequest: req.body?.unknown_domains_may_request !== undefined };
    await inTransaction(deps.db, async (trx) => {
      const before = await readSettings(trx);
      await writeSettings(trx, next);
      await appendAudit(trx, auditContext(req), {
        action: 'settings.updated',
        target: 'settings',
        details: { changes: { unknownDomainsMayRequest: [before.unknownDomainsMayRequest, next.unknownDomainsMayRequest] } },
      });
    });
    res.redirect(303, '/admin/settings?saved=1');
  });
  return r;
}
