// Messages are ICU MessageFormat (plurals, selects, numbers) compiled once per language and key.
import { IntlMessageFormat } from 'intl-messageformat';
import { en } from './en.ts';
import { fr } from './fr.ts';

import { isLocale, type Locale } from './locales.ts';

export { isLocale, LOCALES, type Locale } from './locales.ts';

export const catalogs: Record<Locale, Record<string, string>> = { en, fr };

export type Params = Record<string, string | number | null | undefined>;

const compiled = new Map<string, IntlMessageFormat>();

/**
 * Looks up a message in a language and fills it. An absent argument prints as nothing rather than
 * throwing, so one missing value never takes a page down; an unknown key shows itself, so it is noticed.
 */
export function t(key: string, params: Params = {}, lang: string = 'en'): string {
  const locale: Locale = isLocale(lang) ? lang : 'en';
  const template = catalogs[locale][key] ?? en[key];
  if (template === undefined) return key;
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(template, locale, undefined, { ignoreTag: true });
    compiled.set(id, format);
  }
  return String(format.format(withBlanks(params)));
}

/** intl-messageformat throws on a missing argument; the old {name} replacement printed ''. */
function withBlanks(params: Params): Record<string, string | number> {
  return new Proxy(params, {
    has: () => true,
    get: (target, name) => (typeof name === 'string' ? (target[name] ?? '') : undefined),
  }) as Record<string, string | number>;
}

export function hasMessage(key: string): boolean {
  return key in en;
}

/** t bound to one language, as views and mails use it. */
export type Translate = (key: string, params?: Params) => string;

export function translator(lang: Locale): Translate {
  return (key, params) => t(key, params, lang);
}
