// The tenant's rules for access that ends (issue 18, point 4): how many days before a membership
// ends its guest and sponsors are told, and what becomes of a guest whose last membership ended
// (disabled after a grace period, removed after a further one; null: that step is off).
export interface AccessExpiry {
  /** Days before the end at which a notice goes, largest first; empty: no notices. */
  noticeDays: number[];
  /** Days after their last membership ended before a guest is disabled; null: never. */
  disableAfterDays: number | null;
  /** Days after being disabled for that reason before the guest is removed; null: never. */
  removeAfterDays: number | null;
}

export const DEFAULT_ACCESS_EXPIRY: AccessExpiry = { noticeDays: [14, 3], disableAfterDays: 30, removeAfterDays: 90 };

const MAX_DAYS = 3650;
const MAX_NOTICES = 5;

/** "14, 3" as [14, 3]: whole days from 1 to 3650, at most five, each once; '' is none. Null when unreadable. */
export function parseNoticeDays(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  if (parts.length > MAX_NOTICES || parts.some((p) => !/^\d{1,4}$/.test(p))) return null;
  const days = [...new Set(parts.map(Number))];
  if (days.some((d) => d < 1 || d > MAX_DAYS)) return null;
  return days.sort((a, b) => b - a);
}

/** A number of days written in a form: '' is off (null), else a whole number from 1 to 3650; undefined when unreadable. */
export function parseDaysOrOff(text: string): number | null | undefined {
  const v = text.trim();
  if (v === '') return null;
  if (!/^\d{1,4}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= MAX_DAYS ? n : undefined;
}

export const noticeDaysText = (days: number[]): string => days.join(', ');

const DAY_MS = 24 * 3600 * 1000;

/**
 * The thresholds already reached for a membership ending at `expiresAt`, seen at `nowMs`. With
 * `grantedAt`, none at least as long as the whole term: a 10-day access gets no "14 days" notice the
 * moment it is granted (the SQL side is termLongerThan in db/membershipNotices.ts).
 */
export function dueThresholds(noticeDays: number[], expiresAt: string, nowMs: number, grantedAt?: string): number[] {
  const left = Date.parse(expiresAt) - nowMs;
  if (left <= 0) return [];
  const term = grantedAt === undefined ? Infinity : Date.parse(expiresAt) - Date.parse(grantedAt);
  return noticeDays.filter((d) => left <= d * DAY_MS && d * DAY_MS < term);
}

/** Whole days left before `expiresAt` (at least 1 while it is ahead): what a notice says. */
export function daysLeft(expiresAt: string, nowMs: number): number {
  return Math.max(1, Math.ceil((Date.parse(expiresAt) - nowMs) / DAY_MS));
}

export const daysBefore = (nowMs: number, days: number): string => new Date(nowMs - days * DAY_MS).toISOString();
export const daysAfter = (nowMs: number, days: number): string => new Date(nowMs + days * DAY_MS).toISOString();
