// /identityGovernance/accessReviews: Passerelle's access reviews, read-only, shaped after Microsoft
// Graph's accessReviewScheduleDefinition (a review and its recurrence: here, the first campaign of a
// series), accessReviewInstance (each round: one campaign) and accessReviewInstanceDecisionItem (one
// guest membership reviewed). Keyset paging with $top and $skiptoken like the other collections.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { notFoundApi } from '../errors.ts';
import { nextLink, skiptoken, top } from '../odata.ts';
import { collection } from './shapes.ts';
import { decisionJson, decisionSchema, definitionJson, definitionSchema, instanceJson, instanceSchema } from './accessReviewShapes.ts';
import { findCampaign, instancesPage, latestOfSeries, seriesPage, userNames, type Campaign } from '../../db/reviews.ts';
import { decisionsPage } from '../../db/reviewRows.ts';
import { keysetPage } from '../../db/keyset.ts';
import type { Db } from '../../db/knex.ts';

const BASE = '/identityGovernance/accessReviews/definitions';
const idParam = (what: string) => z.string().regex(/^[1-9]\d{0,9}$/, `is not ${what} id`).transform(Number);
const defId = z.object({ id: idParam('a review definition') });
const instId = z.object({ id: idParam('a review definition'), instanceId: idParam('a review instance') });
const paging = z.object({ $top: top(999, 100), $skiptoken: skiptoken }).strict();

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
