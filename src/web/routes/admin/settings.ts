import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { readSettings } from '../../../db/settings.ts';
import { saveSettings } from '../../../commands/admin/saveSettings.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';
import { isLocale } from '../../../i18n/locales.ts';
import { AppError } from '../../../domain/errors.ts';

export function settingsRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/admin/settings', async (req, res) => {
    render(req, res, 'admin/settings', { title: 'settings.title', settings: await readSettings(deps.db), saved: req.query.saved });
  });
  r.post('/admin/settings', csrfProtection, async (req, res) => {
    // A form from before the language setting existed keeps the language as it is.
    const language = req.body?.default_language ?? (await readSettings(deps.db)).defaultLanguage;
    if (!isLocale(language)) throw new AppError(400, 'invalid_language', 'settings.languageInvalid');
    // A check box: an unticked one is not sent at all.
    await saveSettings(deps, auditContext(req), { unknownDomainsMayRequest: req.body?.unknown_domains_may_request !== undefined, defaultLanguage: language });
    res.redirect(303, '/admin/settings?saved=1');
  });
  return r;
}
