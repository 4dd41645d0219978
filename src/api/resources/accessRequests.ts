// /accessRequests: Passerelle's own resource, in Graph's style: list, get, approve, deny.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { ApiError, badRequest, notFoundApi } from '../errors.ts';
import { nextLink, parseFilter, filter, skiptoken, top } from '../odata.ts';
import { accessRequestJson, accessRequestSchema, collection } from './shapes.ts';
import { findRequestRow, listRequestsPage } from '../../db/directory.ts';
import { applyDecision } from '../../commands/decideRequest.ts';

const STATUSES = ['pending', 'info_requested', 'approved', 'denied', 'cancelled', 'expired', 'provisioned', 'failed'];
const id = z.object({ id: z.string().regex(/^[1-9]\d{0,9}$/, 'is not a request id').transform(Number) });

function statusFilter(text: string | undefined): string | undefined {
  let status: string | undefined;
  for (const c of parseFilter(text, { status: ['eq'] })) {
    if (!STATUSES.includes(c.value)) throw badRequest(`$filter: status is one of ${STATUSES.join(', ')}, not '${c.value}'.`);
    status = c.value;
  }
  return status;
}

function decide(decision: 'approve' | 'deny') {
  return endpoint({
    method: 'post',
    path: `/accessRequests/{id}/${decision}`,
    operationId: `accessRequests.${decision}`,
    summary: decision === 'approve' ? 'Approve a pending request' : 'Deny a pending request',
    description:
      decision === 'approve'
        ? 'The partner is then invited and given the requested items by the provisioning job. A request whose items need a second approval is decided one stage at a time: approving stage 1 moves it to stage 2 (still pending, approvalStage 2, routed to its second approvers), and the partner is invited once stage 2 approves; the client that gave stage 1 may not give stage 2 (403). A request already decided, or waiting for its requester’s answer to a question (status info_requested), answers 409.'
        : 'The partner is told the reason by e-mail. A request already decided, or waiting for its requester’s answer to a question (status info_requested), answers 409.',
    tag: 'Access requests',
    scopes: ['AccessRequest.ReadWrite.All'],
    params: id,
    body:
      decision === 'deny'
        ? z.object({ reason: z.string().trim().min(1, 'is required: the partner is told why').max(2000) }).strict()
        : z.object({ reason: z.string().trim().max(2000).optional() }).strict().optional(),
    responses: { 200: { description: 'The request after the decision.', schema: accessRequestSchema } },
    async handle({ params, body, deps, ctx, client, base }) {
      const request = await findRequestRow(deps.db, params.id);
      if (!request) throw notFoundApi(`Access request '${params.id}'`);
      // Said apart from "already decided": it can be decided once the requester answers.
      if (request.status === 'info_requested') throw new ApiError(409, 'Request_Conflict', `Access request '${params.id}' waits for its requester's answer to a question; it can be decided once it is answered.`);
      await applyDecision(deps, ctx, request, { decision, reason: (body as { reason?: string } | undefined)?.reason ?? '' }, { userId: null, clientId: client.id });
      const after = (await findRequestRow(deps.db, params.id))!;
      return { status: 200, body: { '@odata.context': `${base}/$metadata#accessRequests/$entity`, ...accessRequestJson(after) } };
    },
  });
}

export const accessRequestEndpoints = [
  endpoint({
    method: 'get',
    path: '/accessRequests',
    operationId: 'accessRequests.list',
    summary: 'List access requests',
    description: "Oldest first. `$filter` supports status eq 'pending' (or any other status).",
    tag: 'Access requests',
    scopes: ['AccessRequest.Read.All', 'AccessRequest.ReadWrite.All'],
    query: z.object({ $top: top(999, 100), $skiptoken: skiptoken, $filter: filter("For example status eq 'pending'.") }).strict(),
    responses: { 200: { description: 'A page of requests.', schema: collection(accessRequestSchema, 'accessRequestCollection') } },
    async handle({ query, deps, base, req }) {
      const page = await listRequestsPage(deps.db, statusFilter(query.$filter), query.$skiptoken ?? 0, query.$top);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#accessRequests`,
          '@odata.nextLink': nextLink(base, '/accessRequests', req.query, page.next),
          value: page.rows.map(accessRequestJson),
        },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/accessRequests/{id}',
    operationId: 'accessRequests.get',
    summary: 'Get an access request',
    tag: 'Access requests',
    scopes: ['AccessRequest.Read.All', 'AccessRequest.ReadWrite.All'],
    params: id,
    responses: { 200: { description: 'The request.', schema: accessRequestSchema } },
    async handle({ params, deps, base }) {
      const r = await findRequestRow(deps.db, params.id);
      if (!r) throw notFoundApi(`Access request '${params.id}'`);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#accessRequests/$entity`, ...accessRequestJson(r) } };
    },
  }),
  decide('approve'),
  decide('deny'),
];
