import type { Db, Tx } from './knex.ts';
import { isLocale, type Locale } from '../domain/locales.ts';

export interface Settings {
  unknownDomainsMayRequest: boolean;
  /** The language of pages and mails for whoever chose none and whose browser asks for none of ours. */
  defaultLanguage: Locale;
}

export async function readSettings(db: Db | Tx): Promise<Settings> {
  const rows: { key: string; value: string }[] = await db('settings').select('key', 'value');
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const language = map.get('default_language');
  return { unknownDomainsMayRequest: map.get('unknown_domains_may_request') !== 'false', defaultLanguage: isLocale(language) ? language : 'en' };
}

export async function writeSettings(db: Db | Tx, s: Settings): Promise<void> {
  await db('settings').where({ key: 'unknown_domains_may_request' }).update({ value: String(s.unknownDomainsMayRequest) });
  await db('settings').where({ key: 'default_language' }).update({ value: s.defaultLanguage });
}
