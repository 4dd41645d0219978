// The dates a partner and a sponsor choose for a request's access. A date is a calendar day
// (YYYY-MM-DD, UTC) and the access lasts through it. The partner's date is bounded by the longest
// access any of her items allows, counted from today: the decision comes later, and each item's own
// limit is counted again from the grant (membershipExpiry), so every item still gets what she asked,
// or its own maximum if that is shorter.
import { membershipExpiry } from './membershipExpiry.ts';
import { now as clockNow } from './clock.ts';

const DAY_MS = 24 * 3600 * 1000;

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The first day an access may end on: tomorrow (access that ends the day it is asked for is none). */
export const earliestAccessDay = (now = clockNow()): string => isoDay(now + DAY_MS);

/** The last day the longest of these items allows from `now`, or null when one of them has no limit. */
export function longestAccessDay(items: { max_days: number | null }[], now = clockNow()): string | null {
  if (items.length === 0 || items.some((i) => !i.max_days)) return null;
  return isoDay(now + Math.max(...items.map((i) => i.max_days!)) * DAY_MS);
}

/**
 * The last day a decider may grant: the day the partner asked for while it is still ahead, else (she
 * chose none, or the decision came after it) the longest her items allow from now; null for no end.
 */
export function latestGrantableDay(asked: string | null, items: { max_days: number | null }[], now = clockNow()): string | null {
  return asked && asked >= earliestAccessDay(now) ? asked : longestAccessDay(items, now);
}

/** A real calendar day written YYYY-MM-DD (2027-02-30 is not one). */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export type DayProblem = 'format' | 'past' | 'beyond';

/** Whether `day` lies within [min, max] (max null: no upper bound); the problem otherwise. */
export function checkDay(day: string, bounds: { min: string; max: string | null }): DayProblem | null {
  if (!isCalendarDay(day)) return 'format';
  if (day < bounds.min) return 'past';
  if (bounds.max !== null && day > bounds.max) return 'beyond';
  return null;
}

/** The last moment of a day, as a membership's expires_at. */
export const endOfDay = (day: string): string => `${day}T23:59:59.999Z`;

/**
 * When a membership granted at `grantedAt` ends: the item's own limit from the grant, or the end of
 * the day the request grants access until, whichever comes first.
 */
export function grantExpiry(item: { max_days: number | null }, grantedAt: number, until: string | null | undefined): string | null {
  const byItem = membershipExpiry(item, grantedAt);
  if (!until) return byItem;
  const byRequest = endOfDay(until);
  return byItem && byItem < byRequest ? byItem : byRequest;
}
