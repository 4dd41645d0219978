// The access expiry settings' rows (seeded by migrations/20261206040000_membership_lifecycle.ts);
// an empty value turns that step off.
import type { Db, Tx } from './knex.ts';
import { DEFAULT_ACCESS_EXPIRY, noticeDaysText, parseDaysOrOff, parseNoticeDays, type AccessExpiry } from '../domain/accessExpiry.ts';

const KEYS = { notice: 'expiry_notice_days', disable: 'inactive_disable_days', remove: 'inactive_remove_days' } as const;

/** From the settings' key → value map (src/db/settings.ts reads them all at once). */
export function accessExpiryFrom(map: Map<string, string>): AccessExpiry {
  const notice = map.get(KEYS.notice);
  const disable = map.get(KEYS.disable);
  const remove = map.get(KEYS.remove);
  return {
    noticeDays: notice === undefined ? DEFAULT_ACCESS_EXPIRY.noticeDays : (parseNoticeDays(notice) ?? DEFAULT_ACCESS_EXPIRY.noticeDays),
    disableAfterDays: disable === undefined ? DEFAULT_ACCESS_EXPIRY.disableAfterDays : (parseDaysOrOff(disable) ?? null),
    removeAfterDays: remove === undefined ? DEFAULT_ACCESS_EXPIRY.removeAfterDays : (parseDaysOrOff(remove) ?? null),
  };
}

export async function readAccessExpiry(db: Db | Tx): Promise<AccessExpiry> {
  const rows: { key: string; value: string }[] = await db('settings').whereIn('key', Object.values(KEYS)).select('key', 'value');
  return accessExpiryFrom(new Map(rows.map((r) => [r.key, r.value])));
}

export async function writeAccessExpiry(db: Db | Tx, s: AccessExpiry): Promise<void> {
  const rows = [
    { key: KEYS.notice, value: noticeDaysText(s.noticeDays) },
    { key: KEYS.disable, value: s.disableAfterDays === null ? '' : String(s.disableAfterDays) },
    { key: KEYS.remove, value: s.removeAfterDays === null ? '' : String(s.removeAfterDays) },
  ];
  for (const row of rows) await db('settings').insert(row).onConflict('key').merge();
}
