// /identityGovernance/accessReviews: Passerelle's access reviews, read-only, shaped after Microsoft
// Graph's accessReviewScheduleDefinition (a review and its recurrence: here, the first campaign of a
// series), accessReviewInstance (each round: one campaign) and accessReviewInstanceDecisionItem (one
// guest membership reviewed). Keyset paging with $top and $skiptoken like the other collections.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { notFoundApi } from '../errors.ts';
import { nextLink, skiptoken, top } from '../odata.ts';
import { collection } from './shapes.ts';
import { decisionsPage, findCampaign, instancesPage, latestOfSeries, seriesPage, userNames, type Campaign, type ReviewRow } from '../../db/reviews.ts';
import { keysetPage } from '../../db/keyset.ts';
import type { Db } from '../../db/knex.ts';

const BASE = '/identityGovernance/accessReviews/definitions';
const idParam = (what: string) => z.string().regex(/^[1-9]\d{0,9}$/, `is not ${what} id`).transform(Number);
const defId = z.object({ id: idParam('a review definition') });
const instId = z.object({ id: idParam('a review definition'), instanceId: idParam('a review instance') });
const paging = z.object({ $top: top(999, 100), $skiptoken: skiptoken }).strict();

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

const definitionSchema = z
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

const instanceSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    startDateTime: z.string(),
    endDateTime: z.string(),
    status: z.enum(['NotStarted', 'InProgress', 'Applied']),
    scope: scopeSchema,
  })
  .meta({ id: 'accessReviewInstance', description: 'One round of an access review (Graph accessReviewInstance).' });

const decisionSchema = z
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

function definitionJson(first: Campaign, latest: Campaign, creator: { name: string; email: string } | undefined) {
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

function instanceJson(c: Campaign) {
  return { id: String(c.id), displayName: c.name, startDateTime: c.starts_at, endDateTime: c.deadline_at, status: STATUS[c.status], scope: scopeJson(c) };
}

function decisionJson(c: Campaign, r: ReviewRow & { item_kind: string | null }) {
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

/** The first campaign of a series, or a 404. */
async function definition(db: Db, id: number): Promise<Campaign> {
  const c = await findCampaign(db, id);
  if (!c || c.series_id !== c.id) throw notFoundApi(`Access review definition '${id}'`);
  return c;
}

/** A round of that series, or a 404. */
async function instance(db: Db, id: number, instanceId: number): Promise<Campaign> {
  await definition(db, id);
  const c = await findCampaign(db, instanceId);
  if (!c || c.series_id !== id) throw notFoundApi(`Access review instance '${instanceId}'`);
  return c;
}

const common = { tag: 'Access reviews', scopes: ['AccessReview.Read.All' as const] };

export const accessReviewEndpoints = [
  endpoint({
    ...common,
    method: 'get',
    path: BASE,
    operationId: 'accessReviews.definitions.list',
    summary: 'List access reviews',
    description: 'Oldest first. A recurring review is one definition; each of its rounds is an instance.',
    query: paging,
    responses: { 200: { description: 'A page of review definitions.', schema: collection(definitionSchema, 'accessReviewScheduleDefinitionCollection') } },
    async handle({ query, deps, base, req }) {
      const page = keysetPage(await seriesPage(deps.db, query.$skiptoken ?? 0, query.$top + 1), query.$top, (c) => c.id);
      const latest = await latestOfSeries(deps.db, page.rows.map((c) => c.id));
      const names = await userNames(deps.db, page.rows.flatMap((c) => (c.created_by === null ? [] : [c.created_by])));
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#identityGovernance/accessReviews/definitions`,
          '@odata.nextLink': nextLink(base, BASE, req.query, page.next),
          value: page.rows.map((c) => definitionJson(c, latest.get(c.id) ?? c, c.created_by === null ? undefined : names.get(c.created_by))),
        },
      };
    },
  }),
  endpoint({
    ...common,
    method: 'get',
    path: `${BASE}/{id}`,
    operationId: 'accessReviews.definitions.get',
    summary: 'Get an access review',
    params: defId,
    responses: { 200: { description: 'The review definition.', schema: definitionSchema } },
    async handle({ params, deps, base }) {
      const c = await definition(deps.db, params.id);
      const latest = (await latestOfSeries(deps.db, [c.id])).get(c.id) ?? c;
      const names = await userNames(deps.db, c.created_by === null ? [] : [c.created_by]);
      return {
        status: 200,
        body: { '@odata.context': `${base}/$metadata#identityGovernance/accessReviews/definitions/$entity`, ...definitionJson(c, latest, c.created_by === null ? undefined : names.get(c.created_by)) },
      };
    },
  }),
  endpoint({
    ...common,
    method: 'get',
    path: `${BASE}/{id}/instances`,
    operationId: 'accessReviews.instances.list',
    summary: 'List the rounds of an access review',
    params: defId,
    query: paging,
    responses: { 200: { description: 'A page of review instances, oldest first.', schema: collection(instanceSchema, 'accessReviewInstanceCollection') } },
    async handle({ params, query, deps, base, req }) {
      await definition(deps.db, params.id);
      const page = keysetPage(await instancesPage(deps.db, params.id, query.$skiptoken ?? 0, query.$top + 1), query.$top, (c) => c.id);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#identityGovernance/accessReviews/definitions('${params.id}')/instances`,
          '@odata.nextLink': nextLink(base, `${BASE}/${params.id}/instances`, req.query, page.next),
          value: page.rows.map(instanceJson),
        },
      };
    },
  }),
  endpoint({
    ...common,
    method: 'get',
    path: `${BASE}/{id}/instances/{instanceId}`,
    operationId: 'accessReviews.instances.get',
    summary: 'Get a round of an access review',
    params: instId,
    responses: { 200: { description: 'The review instance.', schema: instanceSchema } },
    async handle({ params, deps, base }) {
      const c = await instance(deps.db, params.id, params.instanceId);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#accessReviewInstance/$entity`, ...instanceJson(c) } };
    },
  }),
  endpoint({
    ...common,
    method: 'get',
    path: `${BASE}/{id}/instances/{instanceId}/decisions`,
    operationId: 'accessReviews.decisions.list',
    summary: 'List the decisions of a round',
    description: 'One decision per guest membership reviewed: Approve (keep), Deny (remove) or NotReviewed; after the deadline, the default fills the unanswered ones.',
    params: instId,
    query: paging,
    responses: { 200: { description: 'A page of decisions.', schema: collection(decisionSchema, 'accessReviewInstanceDecisionItemCollection') } },
    async handle({ params, query, deps, base, req }) {
      const c = await instance(deps.db, params.id, params.instanceId);
      const page = keysetPage(await decisionsPage(deps.db, c.id, query.$skiptoken ?? 0, query.$top + 1), query.$top, (r) => r.id);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#accessReviewInstanceDecisionItems`,
          '@odata.nextLink': nextLink(base, `${BASE}/${params.id}/instances/${params.instanceId}/decisions`, req.query, page.next),
          value: page.rows.map((r) => decisionJson(c, r)),
        },
      };
    },
  }),
];
