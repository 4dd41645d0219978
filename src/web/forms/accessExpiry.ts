// The "Access expiry" fieldset of Administration → Settings: the notice thresholds ("14, 3"), and the
// days before a guest whose access all ended is disabled, then removed (empty: off). A form from
// before these fields existed keeps the settings as they are.
import { parseDaysOrOff, parseNoticeDays, type AccessExpiry } from '../../domain/accessExpiry.ts';

export const EXPIRY_FIELDS = { notice: 'expiry_notice_days', disable: 'inactive_disable_days', remove: 'inactive_remove_days' } as const;

export function parseAccessExpiryForm(
  body: unknown,
  current: AccessExpiry,
): { value: AccessExpiry | null; fields: Record<string, string>; typed: Record<string, string> } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string).slice(0, 100) : undefined);
  const typed = Object.fromEntries(Object.values(EXPIRY_FIELDS).map((f) => [f, text(f) ?? '']));
  if (Object.values(EXPIRY_FIELDS).every((f) => raw[f] === undefined)) return { value: current, fields: {}, typed };
  const fields: Record<string, string> = {};
  const notice = parseNoticeDays(text(EXPIRY_FIELDS.notice) ?? '');
  if (notice === null) fields[EXPIRY_FIELDS.notice] = 'expiry.settings.errors.noticeDays';
  const disable = parseDaysOrOff(text(EXPIRY_FIELDS.disable) ?? '');
  if (disable === undefined) fields[EXPIRY_FIELDS.disable] = 'expiry.settings.errors.days';
  const remove = parseDaysOrOff(text(EXPIRY_FIELDS.remove) ?? '');
  if (remove === undefined) fields[EXPIRY_FIELDS.remove] = 'expiry.settings.errors.days';
  if (notice === null || disable === undefined || remove === undefined) return { value: null, fields, typed };
  return { value: { noticeDays: notice, disableAfterDays: disable, removeAfterDays: remove }, fields, typed };
}
