// The JSON of access reviews as the API returns them, after Microsoft Graph's accessReviewScheduleDefinition,
// accessReviewInstance and accessReviewInstanceDecisionItem (with Passerelle's own additions: the scope's
// item or organization, whether a decision was the default, who was asked).
import { z } from 'zod';
import type { Campaign } from '../../db/reviews.ts';
import type { ReviewRow } from '../../db/reviewRows.ts';

const identity = z.object({ id: z.string(), displayName: z.string().nullable(), userPrincipalName: z.string().nullable() }).nullable();

const scopeSchema = z.object({
  '@odata.type': z.literal('#microsoft.graph.accessReviewQueryScope'),
  query: z.string(),
  queryType: z.literal('MicrosoftGraph'),
  passerelleScope: z.object({ type: z.enum(['all', 'organization', 'item']), id: z.string().nullable(), displayName: z.string().nullable() }),
});

const STATUS = { scheduled: 'NotStarted', open: 'InProgress', closed: 'Applied' } as const;

function scopeJson(c: Campaign) {
  const query =
    c.scope === 'item'
      ? `/groups/${c.scope_id}/members?$filter=(userType eq 'Guest')`
      : c.scope === 'organization'
        ? `/users?$filter=(userType eq 'Guest') and (partnerOrganization eq '${(c.scope_name ?? '').replace(/'/g, "''")}')`
        : "/users?$filter=(userType eq 'Guest')";
  return {
    '@odata.type': '#microsoft.graph.accessReviewQueryScope' as const,
    query,
    queryType: 'MicrosoftGraph' as const,
    passerelleScope: { type: c.scope, id: c.scope_id === null ? null : String(c.scope_id), displayName: c.scope_name },
  };
}

export const definitionSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    status: z.enum(['NotStarted', 'InProgress', 'Applied']),
    createdDateTime: z.string(),
    lastModifiedDateTime: z.string(),
    createdBy: identity,
    scope: scopeSchema,
    settings: z.object({
      defaultDecisionEnabled: z.boolean(),
      defaultDecision: z.enum(['Approve', 'Deny']),
      autoApplyDecisionsEnabled: z.boolean(),
      justificationRequiredOnApproval: z.boolean(),
      mailNotificationsEnabled: z.boolean(),
      reminderNotificationsEnabled: z.boolean(),
      instanceDurationInDays: z.number(),
      recurrence: z
        .object({
          pattern: z.object({ type: z.literal('absoluteMonthly'), interval: z.number() }),
          range: z.object({ type: z.literal('noEnd'), startDate: z.string() }),
        })
        .nullable(),
    }),
  })
  .meta({ id: 'accessReviewScheduleDefinition', description: 'An access review and its recurrence (Graph accessReviewScheduleDefinition); its id is its first round’s.' });

export const instanceSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    startDateTime: z.string(),
    endDateTime: z.string(),
    status: z.enum(['NotStarted', 'InProgress', 'Applied']),
    scope: scopeSchema,
  })
  .meta({ id: 'accessReviewInstance', description: 'One round of an access review (Graph accessReviewInstance).' });

export const decisionSchema = z
  .object({
    id: z.string(),
    accessReviewId: z.string(),
    decision: z.enum(['Approve', 'Deny', 'NotReviewed']),
    justification: z.string().nullable(),
    reviewedDateTime: z.string().nullable(),
    reviewedBy: identity,
    decidedByDefault: z.boolean(),
    appliedDateTime: z.string().nullable(),
    applyResult: z.enum(['New', 'AppliedSuccessfully', 'AppliedSuccessfullyButObjectNotFound']),
    recommendation: z.literal('NoInfoAvailable'),
    principal: z.object({ '@odata.type': z.literal('#microsoft.graph.userIdentity'), id: z.string(), displayName: z.string(), userPrincipalName: z.string() }),
    resource: z.object({ id: z.string(), displayName: z.string(), type: z.string() }),
    reviewer: z.object({ type: z.enum(['sponsor', 'owner', 'admins']), id: z.string().nullable(), userPrincipalName: z.string().nullable() }),
  })
  .meta({ id: 'accessReviewInstanceDecisionItem', description: 'One guest membership reviewed (Graph accessReviewInstanceDecisionItem).' });

const DAY = 86_400_000;

export function definitionJson(first: Campaign, latest: Campaign, creator: { name: string; email: string } | undefined) {
  return {
    id: String(first.id),
    displayName: first.name,
    status: STATUS[latest.status],
    createdDateTime: first.created_at,
    lastModifiedDateTime: latest.closed_at ?? latest.opened_at ?? latest.created_at,
    createdBy: first.created_by === null ? null : { id: String(first.created_by), displayName: creator?.name ?? null, userPrincipalName: creator?.email ?? null },
    scope: scopeJson(first),
    settings: {
      defaultDecisionEnabled: true,
      defaultDecision: first.default_decision === 'keep' ? ('Approve' as const) : ('Deny' as const),
      autoApplyDecisionsEnabled: true,
      justificationRequiredOnApproval: false,
      mailNotificationsEnabled: true,
      reminderNotificationsEnabled: true,
      instanceDurationInDays: Math.max(1, Math.round((Date.parse(first.deadline_at) - Date.parse(first.starts_at)) / DAY)),
      recurrence: first.recurrence_months
        ? { pattern: { type: 'absoluteMonthly' as const, interval: first.recurrence_months }, range: { type: 'noEnd' as const, startDate: first.starts_at.slice(0, 10) } }
        : null,
    },
  };
}

export function instanceJson(c: Campaign) {
  return { id: String(c.id), displayName: c.name, startDateTime: c.starts_at, endDateTime: c.deadline_at, status: STATUS[c.status], scope: scopeJson(c) };
}

export function decisionJson(c: Campaign, r: ReviewRow & { item_kind: string | null }) {
  const decided = r.decision !== null;
  return {
    id: String(r.id),
    accessReviewId: String(c.id),
    decision: r.decision === 'keep' ? ('Approve' as const) : r.decision === 'remove' ? ('Deny' as const) : ('NotReviewed' as const),
    justification: r.reason,
    reviewedDateTime: decided ? r.decided_at : null,
    reviewedBy: r.decided_by === null ? null : { id: String(r.decided_by), displayName: r.decider_name, userPrincipalName: r.decider_email },
    decidedByDefault: r.defaulted,
    appliedDateTime: c.status === 'closed' ? (r.applied_at ?? c.closed_at) : null,
    applyResult:
      c.status !== 'closed' ? ('New' as const) : r.apply_result === 'gone' ? ('AppliedSuccessfullyButObjectNotFound' as const) : ('AppliedSuccessfully' as const),
    recommendation: 'NoInfoAvailable' as const,
    principal: { '@odata.type': '#microsoft.graph.userIdentity' as const, id: String(r.guest_id), displayName: r.guest_name, userPrincipalName: r.guest_email },
    resource: { id: String(r.item_id), displayName: r.item_name, type: r.item_kind === 'app' ? 'application' : 'group' },
    reviewer: { type: r.reviewer_kind, id: r.reviewer_id === null ? null : String(r.reviewer_id), userPrincipalName: r.reviewer_email },
  };
}
