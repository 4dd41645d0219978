// Access reviews' plain rules: who reviews a guest's membership, when a recurring campaign comes back,
// when its automatic reminder is due, and what an unanswered row becomes at the deadline.

export type ReviewDecision = 'keep' | 'remove';
export type ReviewScope = 'all' | 'organization' | 'item';
export type ReviewerKind = 'sponsor' | 'owner' | 'admins';
export type CampaignStatus = 'scheduled' | 'open' | 'closed';

export const RECURRENCES = [3, 6, 12] as const;
export const DECISIONS: readonly ReviewDecision[] = ['keep', 'remove'];

const DAY = 86_400_000;
/** The automatic reminder goes out this long before the deadline (less for a short campaign). */
export const REMIND_BEFORE_DAYS = 3;

/**
 * Who reviews one membership: the guest's sponsor (one named for them, else the member who approved
 * their latest request: db/reviews.ts reads them), else the item's owner, else any admin (null).
 */
export function assignReviewer(sponsorIds: readonly number[], ownerIds: readonly number[]): { kind: ReviewerKind; reviewerId: number | null } {
  // The lowest id of each: the same guest is always asked of the same person, run after run.
  const first = (ids: readonly number[]) => ids.reduce((a, b) => Math.min(a, b));
  if (sponsorIds.length) return { kind: 'sponsor', reviewerId: first(sponsorIds) };
  if (ownerIds.length) return { kind: 'owner', reviewerId: first(ownerIds) };
  return { kind: 'admins', reviewerId: null };
}

/** `iso` moved by whole calendar months (UTC), the day kept or, past the month's end, its last day. */
export function addMonths(iso: string, months: number): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  const moved = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(moved.getUTCFullYear(), moved.getUTCMonth() + 1, 0)).getUTCDate();
  moved.setUTCDate(Math.min(day, lastDay));
  return moved.toISOString();
}

/**
 * The next instance of a recurring campaign: it starts `months` after the previous one started (or
 * now, if that moment has passed: a closing caught up late does not make a campaign born overdue) and
 * lasts as long as the previous one did.
 */
export function nextOccurrence(prev: { startsAt: string; deadlineAt: string }, months: number, nowMs: number): { startsAt: string; deadlineAt: string } {
  const duration = Math.max(DAY, Date.parse(prev.deadlineAt) - Date.parse(prev.startsAt));
  const planned = Date.parse(addMonths(prev.startsAt, months));
  const start = Math.max(planned, nowMs);
  return { startsAt: new Date(start).toISOString(), deadlineAt: new Date(start + duration).toISOString() };
}

/** When the automatic reminder is due: three days before the deadline, or halfway for a shorter campaign. */
export function reminderTime(startsAt: string, deadlineAt: string): string {
  const start = Date.parse(startsAt);
  const end = Date.parse(deadlineAt);
  const before = Math.min(REMIND_BEFORE_DAYS * DAY, Math.floor((end - start) / 2));
  return new Date(end - Math.max(0, before)).toISOString();
}

/** What a row ends as: its reviewer's answer, else the campaign's default. */
export function finalDecision(answer: ReviewDecision | null, campaignDefault: ReviewDecision): { decision: ReviewDecision; defaulted: boolean } {
  return answer ? { decision: answer, defaulted: false } : { decision: campaignDefault, defaulted: true };
}

/** A "remove" needs a reason (the guest's access ends on it); a "keep" may have one. */
export function reasonProblem(decision: ReviewDecision, reason: string): string | null {
  if (decision === 'remove' && !reason.trim()) return 'reviews.errors.reasonRequired';
  if (reason.length > 1000) return 'reviews.errors.reasonTooLong';
  return null;
}

/** The deadline a campaign may have: a day after today at the earliest, two years at the latest. */
export function deadlineProblem(deadlineAt: string, nowMs: number): string | null {
  const t = Date.parse(deadlineAt);
  if (!Number.isFinite(t)) return 'reviews.errors.deadline';
  if (t <= nowMs + DAY / 2) return 'reviews.errors.deadlinePast';
  if (t > nowMs + 730 * DAY) return 'reviews.errors.deadlineFar';
  return null;
}

/** Who may answer a row: its own reviewer; an admin answers the rows given to the admins. */
export function mayAnswer(row: { reviewer_id: number | null; reviewer_kind: ReviewerKind }, userId: number, isAdmin: boolean): boolean {
  if (row.reviewer_id !== null) return row.reviewer_id === userId;
  return isAdmin && row.reviewer_kind === 'admins';
}
