// The language switch on every page: a small form, so it works without JavaScript.
import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { chooseLanguage } from '../../commands/chooseLanguage.ts';
import { AppError } from '../../domain/errors.ts';
import { LOCALES } from '../../i18n/locales.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { LANG_COOKIE } from '../middleware/locale.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { safeReturnTo } from '../render.ts';

const choice = z.object({ lang: z.enum(LOCALES), back: z.string().optional() });

export function languageRoutes(deps: Deps): Router {
  const r = Router();
  r.post('/language', csrfProtection, async (req, res) => {
    const parsed = choice.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError(400, 'invalid_language', 'settings.languageInvalid');
    const { lang } = parsed.data;
    const principal = principalOf(req);
    if (principal?.userId) await chooseLanguage(deps, auditContext(req), principal.userId, lang);
    res.cookie(LANG_COOKIE, lang, { maxAge: 365 * 24 * 3600 * 1000, httpOnly: true, sameSite: 'lax', secure: deps.config.secureCookies, path: '/' });
    res.redirect(303, safeReturnTo(parsed.data.back) ?? '/');
  });
  return r;
}
