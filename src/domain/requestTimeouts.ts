// The time-outs of a request waiting for a decision (issue 18, point 1), in whole days counted from
// the request's clock_from: remind its approvers, escalate to a fallback approver, expire it. Null is
// "off" for the tenant's defaults; on a catalog item, null follows the tenant and 0 turns the step off.

export interface TimeoutDays {
  remind: number | null;
  escalate: number | null;
  expire: number | null;
}

export const TIMEOUT_STEPS = ['remind', 'escalate', 'expire'] as const;
export type TimeoutStep = (typeof TIMEOUT_STEPS)[number];

/** The defaults a fresh tenant gets (migrations/20261206010000_request_timeouts.ts seeds them). */
export const DEFAULT_TIMEOUTS: TimeoutDays = { remind: 3, escalate: 7, expire: 14 };

export const MAX_TIMEOUT_DAYS = 365;

/**
 * The steps that come too early: each step that is set must come after every earlier one that is
 * set (remind < escalate < expire). Returns the later step of each pair out of order.
 */
export function outOfOrder(d: TimeoutDays): Exclude<TimeoutStep, 'remind'>[] {
  const bad: Exclude<TimeoutStep, 'remind'>[] = [];
  const on = (v: number | null) => v !== null && v > 0;
  if (on(d.escalate) && on(d.remind) && d.escalate! <= d.remind!) bad.push('escalate');
  if (on(d.expire) && ((on(d.escalate) && d.expire! <= d.escalate!) || (on(d.remind) && d.expire! <= d.remind!))) bad.push('expire');
  return bad;
}

/** A catalog item's own time-outs, as its columns hold them (null: the tenant's default; 0: off). */
export interface ItemTimeouts {
  remind_after_days: number | null;
  escalate_after_days: number | null;
  expire_after_days: number | null;
}
