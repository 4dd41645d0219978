// GET /auditLogs/directoryAudits: the audit log in Graph's directoryAudit shape, newest first.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { badRequest, notFoundApi } from '../errors.ts';
import { filter, nextLink, parseFilter, skiptoken, top } from '../odata.ts';
import { collection, directoryAuditJson, directoryAuditSchema } from './shapes.ts';
import { findAuditEvent, listAuditPage, type AuditWindow } from '../../db/directory.ts';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function window(text: string | undefined): AuditWindow {
  const w: AuditWindow = {};
  for (const c of parseFilter(text, { activityDateTime: ['ge', 'gt', 'le', 'lt'] })) {
    const at = ISO.test(c.value) ? new Date(c.value) : null;
    if (!at || Number.isNaN(at.getTime())) throw badRequest(`$filter: activityDateTime needs a date and time such as 2026-11-27T00:00:00Z, not '${c.value}'.`);
    const bound = { at: at.toISOString(), inclusive: c.op === 'ge' || c.op === 'le' };
    if (c.op === 'ge' || c.op === 'gt') w.from = bound;
    else w.to = bound;
  }
  return w;
}

export const auditEndpoints = [
  endpoint({
    method: 'get',
    path: '/auditLogs/directoryAudits',
    operationId: 'directoryAudits.list',
    summary: 'List audit events',
    description: 'Newest first. `$filter` supports activityDateTime ge|gt|le|lt <date-time>, joined by and.',
    tag: 'Audit log',
    scopes: ['AuditLog.Read.All'],
    query: z
      .object({ $top: top(1000, 100), $skiptoken: skiptoken, $filter: filter('For example activityDateTime ge 2026-11-01T00:00:00Z.') })
      .strict(),
    responses: { 200: { description: 'A page of events.', schema: collection(directoryAuditSchema, 'directoryAuditCollection') } },
    async handle({ query, deps, base, req }) {
      const page = await listAuditPage(deps.db, window(query.$filter), query.$skiptoken ?? null, query.$top);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#auditLogs/directoryAudits`,
          '@odata.nextLink': nextLink(base, '/auditLogs/directoryAudits', req.query, page.next),
          value: page.rows.map(directoryAuditJson),
        },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/auditLogs/directoryAudits/{id}',
    operationId: 'directoryAudits.get',
    summary: 'Get one audit event',
    tag: 'Audit log',
    scopes: ['AuditLog.Read.All'],
    params: z.object({ id: z.string().regex(/^[1-9]\d{0,14}$/, 'is not an event id').transform(Number) }),
    responses: { 200: { description: 'The event.', schema: directoryAuditSchema } },
    async handle({ params, deps, base }) {
      const e = await findAuditEvent(deps.db, params.id);
      if (!e) throw notFoundApi(`Audit event '${params.id}'`);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#auditLogs/directoryAudits/$entity`, ...directoryAuditJson(e) } };
    },
  }),
];
