// The time-out fields of a pending request, on the catalog item form (empty: the tenant's default; 0:
// off for this item) and on the settings page (empty or 0: off), with their order checked.
import { z } from 'zod';
import { MAX_TIMEOUT_DAYS, outOfOrder, TIMEOUT_STEPS, type TimeoutDays, type TimeoutStep } from '../../domain/requestTimeouts.ts';
import type { FieldErrors } from '../../commands/admin/submitted.ts';

/** A number of days as typed: '' → null, '0'…'365' → that number. */
export const timeoutDays = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || (/^\d{1,4}$/.test(v) && Number(v) <= MAX_TIMEOUT_DAYS), 'requestTimeouts.errors.days')
  .transform((v) => (v ? Number(v) : null));

/** The item form's field names. */
export const ITEM_FIELDS: Record<TimeoutStep, string> = { remind: 'remind_after_days', escalate: 'escalate_after_days', expire: 'expire_after_days' };
/** The settings page's field names. */
export const SETTINGS_FIELDS: Record<TimeoutStep, string> = { remind: 'request_remind_days', escalate: 'request_escalate_days', expire: 'request_expire_days' };

const ORDER_MESSAGE: Record<Exclude<TimeoutStep, 'remind'>, string> = {
  escalate: 'requestTimeouts.errors.escalateAfterRemind',
  expire: 'requestTimeouts.errors.expireAfterOthers',
};

/** The order problems of time-outs already parsed, each on the field of the later step. */
export function orderErrors(value: TimeoutDays, names: Record<TimeoutStep, string>): FieldErrors {
  return Object.fromEntries(outOfOrder(value).map((step) => [names[step], ORDER_MESSAGE[step]]));
}

/**
 * The three fields of `body` named by `names`, parsed, and each one out of order reported on its
 * field. `zeroIsOff`: on the settings page 0 means off (null); on an item 0 is kept (off for it).
 */
export function parseTimeouts(body: unknown, names: Record<TimeoutStep, string>, zeroIsOff: boolean): { value: TimeoutDays | null; fields: FieldErrors } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const fields: FieldErrors = {};
  const value: TimeoutDays = { remind: null, escalate: null, expire: null };
  for (const step of TIMEOUT_STEPS) {
    const parsed = timeoutDays.safeParse(typeof raw[names[step]] === 'string' ? raw[names[step]] : raw[names[step]] === undefined ? undefined : '?');
    if (!parsed.success) fields[names[step]] = 'requestTimeouts.errors.days';
    else value[step] = zeroIsOff && parsed.data === 0 ? null : parsed.data;
  }
  if (Object.keys(fields).length === 0) Object.assign(fields, orderErrors(value, names));
  return { value: Object.keys(fields).length ? null : value, fields };
}
