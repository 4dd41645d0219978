// Access reviews' plain rules: who reviews, when the next round comes, when the reminder is due, what
// an unanswered row becomes, who may answer a row, and the CSV line of a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, assignReviewer, deadlineProblem, finalDecision, mayAnswer, nextOccurrence, reasonProblem, reminderTime } from '../../src/domain/reviews.ts';
import { reviewCsvLine } from '../../src/domain/reviewExport.ts';

const DAY = 86_400_000;

test('the guest’s sponsor reviews, else the item’s owner, else the admins', () => {
  assert.deepEqual(assignReviewer([9, 4], [2]), { kind: 'sponsor', reviewerId: 4 });
  assert.deepEqual(assignReviewer([], [7, 3]), { kind: 'owner', reviewerId: 3 });
  assert.deepEqual(assignReviewer([], []), { kind: 'admins', reviewerId: null });
});

test('a recurring review comes back whole months later, the month’s last day when the day does not exist', () => {
  assert.equal(addMonths('2026-01-31T10:00:00.000Z', 1), '2026-02-28T10:00:00.000Z');
  assert.equal(addMonths('2026-11-15T00:00:00.000Z', 3), '2027-02-15T00:00:00.000Z');
  const prev = { startsAt: '2026-12-01T09:00:00.000Z', deadlineAt: '2026-12-15T09:00:00.000Z' };
  assert.deepEqual(nextOccurrence(prev, 6, Date.parse('2026-12-15T10:00:00Z')), { startsAt: '2027-06-01T09:00:00.000Z', deadlineAt: '2027-06-15T09:00:00.000Z' });
  // Closed very late: the next round starts now, as long as the previous one lasted.
  const late = Date.parse('2027-07-01T00:00:00Z');
  assert.deepEqual(nextOccurrence(prev, 3, late), { startsAt: '2027-07-01T00:00:00.000Z', deadlineAt: '2027-07-15T00:00:00.000Z' });
});

test('the automatic reminder is three days before the deadline, halfway for a short review', () => {
  assert.equal(reminderTime('2026-12-01T00:00:00.000Z', '2026-12-15T00:00:00.000Z'), '2026-12-12T00:00:00.000Z');
  assert.equal(reminderTime('2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z'), '2026-12-02T00:00:00.000Z');
});

test('an unanswered row gets the default; an answered one keeps its answer', () => {
  assert.deepEqual(finalDecision(null, 'remove'), { decision: 'remove', defaulted: true });
  assert.deepEqual(finalDecision('keep', 'remove'), { decision: 'keep', defaulted: false });
});

test('a removal needs a reason; a deadline is after today and within two years', () => {
  assert.equal(reasonProblem('remove', '  '), 'reviews.errors.reasonRequired');
  assert.equal(reasonProblem('keep', ''), null);
  const now = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(deadlineProblem('2026-12-01T23:00:00Z', now), 'reviews.errors.deadlinePast');
  assert.equal(deadlineProblem('2026-12-02T23:59:59Z', now), null);
  assert.equal(deadlineProblem('2029-12-02T23:59:59Z', now), 'reviews.errors.deadlineFar');
  assert.equal(deadlineProblem('soon', now), 'reviews.errors.deadline');
});

test('a row is answered by its reviewer; the admins’ rows by any admin, and nobody else’s by an admin', () => {
  assert.equal(mayAnswer({ reviewer_id: 5, reviewer_kind: 'sponsor' }, 5, false), true);
  assert.equal(mayAnswer({ reviewer_id: 5, reviewer_kind: 'sponsor' }, 6, true), false);
  assert.equal(mayAnswer({ reviewer_id: null, reviewer_kind: 'admins' }, 6, true), true);
  assert.equal(mayAnswer({ reviewer_id: null, reviewer_kind: 'admins' }, 6, false), false);
});

test('a CSV line quotes what needs quoting and keeps a formula-looking cell as text', () => {
  const line = reviewCsvLine(
    { id: 3, name: 'Winter, partners', starts_at: '2026-12-01T00:00:00.000Z', deadline_at: '2026-12-15T00:00:00.000Z' },
    {
      id: 8, guest_name: '@Bob', guest_email: 'bob@acme.test', organization_name: null, item_name: 'Wiki', reviewer_kind: 'admins', reviewer_email: null,
      decision: 'remove', defaulted: false, reason: '=1+1 "quoted"', decider_email: 'ada@x.test', decided_at: '2026-12-02T00:00:00.000Z', apply_result: 'removed', applied_at: '2026-12-15T00:00:01.000Z',
    },
  );
  assert.equal(line, `3,"Winter, partners",2026-12-01T00:00:00.000Z,2026-12-15T00:00:00.000Z,8,'@Bob,bob@acme.test,,Wiki,admins,,remove,no,"'=1+1 ""quoted""",ada@x.test,2026-12-02T00:00:00.000Z,removed,2026-12-15T00:00:01.000Z\r\n`);
});
