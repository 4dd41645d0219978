import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { readSettings } from '../../../db/settings.ts';
import { saveSettings } from '../../../commands/admin/saveSettings.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';
import { isLocale } from '../../../i18n/locales.ts';
import { AppError } from '../../../domain/errors.ts';
import { parseTimeouts, SETTINGS_FIELDS } from '../../forms/requestTimeouts.ts';
import { parseAccessExpiryForm } from '../../forms/accessExpiry.ts';

export function settingsRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/admin/settings', async (req, res) => {
    render(req, res, 'admin/settings', { title: 'settings.title', settings: await readSettings(deps.db), saved: req.query.saved });
  });
  r.post('/admin/settings', csrfProtection, async (req, res) => {
    // A form from before the language setting existed keeps the language as it is.
    const language = req.body?.default_language ?? (await readSettings(deps.db)).defaultLanguage;
    if (!isLocale(language)) throw new AppError(400, 'invalid_language', 'settings.languageInvalid');
    // The pending requests' time-outs; a form from before they existed keeps them as they are.
    const sent = Object.values(SETTINGS_FIELDS).some((f) => req.body?.[f] !== undefined);
    const timeouts = sent ? parseTimeouts(req.body, SETTINGS_FIELDS, true) : { value: (await readSettings(deps.db)).requestTimeouts, fields: {} };
    const expiry = parseAccessExpiryForm(req.body, (await readSettings(deps.db)).accessExpiry);
    if (!timeouts.value || !expiry.value) {
      const typed = Object.fromEntries(Object.values(SETTINGS_FIELDS).map((f) => [f, typeof req.body?.[f] === 'string' ? req.body[f].slice(0, 10) : '']));
      return render(req, res, 'admin/settings', { title: 'settings.title', settings: { ...(await readSettings(deps.db)), unknownDomainsMayRequest: req.body?.unknown_domains_may_request !== undefined, defaultLanguage: language }, typed, typedExpiry: expiry.typed, saved: null, fields: { ...timeouts.fields, ...expiry.fields }, notice: { key: 'errors.invalidForm' } }, 400);
    }
    // A check box: an unticked one is not sent at all.
    await saveSettings(deps, auditContext(req), { unknownDomainsMayRequest: req.body?.unknown_domains_may_request !== undefined, defaultLanguage: language, requestTimeouts: timeouts.value, accessExpiry: expiry.value });
    res.redirect(303, '/admin/settings?saved=1');
  });
  return r;
}
