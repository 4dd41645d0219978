import type { Db, Tx } from './knex.ts';
import { isLocale, type Locale } from '../domain/locales.ts';
import type { TimeoutDays } from '../domain/requestTimeouts.ts';
import type { AccessExpiry } from '../domain/accessExpiry.ts';
import { accessExpiryFrom, writeAccessExpiry } from './accessExpirySettings.ts';

export interface Settings {
  unknownDomainsMayRequest: boolean;
  /** The language of pages and mails for whoever chose none and whose browser asks for none of ours. */
  defaultLanguage: Locale;
  /** Pending requests' time-outs in days when an item sets none (null: that step is off). */
  requestTimeouts: TimeoutDays;
  /** Notices before access ends, and guests whose access all ended disabled then removed (src/db/accessExpirySettings.ts). */
  accessExpiry: AccessExpiry;
}

// The time-outs' rows (seeded by migrations/20261206010000_request_timeouts.ts); '' or '0' is off.
const TIMEOUT_KEYS = { remind: 'request_remind_days', escalate: 'request_escalate_days', expire: 'request_expire_days' } as const;
const days = (v: string | undefined) => (v && /^\d{1,4}$/.test(v) && Number(v) > 0 ? Number(v) : null);

export async function readSettings(db: Db | Tx): Promise<Settings> {
  const rows: { key: string; value: string }[] = await db('settings').select('key', 'value');
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const language = map.get('default_language');
  return {
    unknownDomainsMayRequest: map.get('unknown_domains_may_request') !== 'false',
    defaultLanguage: isLocale(language) ? language : 'en',
    requestTimeouts: { remind: days(map.get(TIMEOUT_KEYS.remind)), escalate: days(map.get(TIMEOUT_KEYS.escalate)), expire: days(map.get(TIMEOUT_KEYS.expire)) },
    accessExpiry: accessExpiryFrom(map),
  };
}

export async function writeSettings(db: Db | Tx, s: Settings): Promise<void> {
  await db('settings').where({ key: 'unknown_domains_may_request' }).update({ value: String(s.unknownDomainsMayRequest) });
  await db('settings').where({ key: 'default_language' }).update({ value: s.defaultLanguage });
  for (const [step, key] of Object.entries(TIMEOUT_KEYS)) {
    const value = String(s.requestTimeouts[step as keyof typeof TIMEOUT_KEYS] ?? '');
    await db('settings').insert({ key, value }).onConflict('key').merge();
  }
  await writeAccessExpiry(db, s.accessExpiry);
}
