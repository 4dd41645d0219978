import { en } from './en.ts';

const catalogs: Record<string, Record<string, string>> = { en };

export type Params = Record<string, string | number | null | undefined>;

/** Looks up a message and fills its {placeholders}. An unknown key shows itself, so it is noticed. */
export function t(key: string, params: Params = {}, lang = 'en'): string {
  const template = catalogs[lang]?.[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

export function hasMessage(key: string): boolean {
  return key in en;
}
