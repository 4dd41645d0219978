// Which language and time zone a page speaks: the person's remembered choice, else this browser's
// choice (a cookie), else Accept-Language, else the organization's default. Sets `lang`, `t` and `fmt`
// for the views, and req.lang for routes and mails.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/knex.ts';
import { readSettings } from '../../db/settings.ts';
import { formatters, knownTimeZone } from '../../i18n/format.ts';
import { fromAcceptLanguage, isLocale, type Locale } from '../../i18n/locales.ts';
import { translator } from '../../i18n/t.ts';
import { principalOf } from './requestContext.ts';

declare module 'express-serve-static-core' {
  interface Request {
    lang?: Locale;
  }
}

export const LANG_COOKIE = 'lang';
export const TZ_COOKIE = 'tz';

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The chosen language, else the browser's, else the organization's default: the settings row is read
 * only for a browser that asks for none of our languages.
 */
export async function pickLocale(chosen: unknown, cookie: unknown, acceptLanguage: string | undefined, fallback: () => Promise<Locale>): Promise<Locale> {
  if (isLocale(chosen)) return chosen;
  if (isLocale(cookie)) return cookie;
  return fromAcceptLanguage(acceptLanguage) ?? (await fallback());
}

export function localeMiddleware(db: Db) {
  const fallback = async () => (await readSettings(db)).defaultLanguage;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const lang = await pickLocale(principalOf(req)?.locale, cookieValue(req, LANG_COOKIE), req.get('accept-language'), fallback);
      req.lang = lang;
      res.locals.lang = lang;
      res.locals.t = translator(lang);
      res.locals.fmt = formatters(lang, knownTimeZone(cookieValue(req, TZ_COOKIE)) ?? 'UTC');
      res.vary('Accept-Language');
      next();
    } catch (err) {
      next(err);
    }
  };
}
