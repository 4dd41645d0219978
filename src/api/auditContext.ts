import type { Request } from 'express';
import type { AuditContext } from '../db/audit.ts';

/**
 * Who acts in an API call, for its audit events: the authenticated client, or nobody yet (refusals
 * of a missing or bad token). Read by the authentication middleware and the error handler alike.
 */
export function apiAuditContext(req: Request): AuditContext {
  const c = req.apiClient;
  return {
    actor: c ? { type: 'api', id: `api_client:${c.id}`, label: c.name } : { type: 'anonymous', id: null, label: null },
    ip: req.ip ?? null,
    correlationId: req.id,
    clientRequestId: req.clientRequestId,
  };
}
