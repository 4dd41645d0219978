import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuditContext } from '../../db/audit.ts';
import type { Principal } from '../../domain/principal.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** The caller's own request id, cleaned; never used as the correlation id. */
    clientRequestId: string | null;
  }
}

/**
 * The correlation id is always made here: a caller who could choose it could file their own requests
 * under an admin action's id. An id the caller sends (X-Request-Id, or Graph's client-request-id) is
 * kept apart, cleaned and short, as the client's own reference.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  req.id = randomUUID();
  req.clientRequestId = clientRequestId(req.get('x-request-id') ?? req.get('client-request-id'));
  res.setHeader('X-Request-Id', req.id);
  next();
}

/** A caller's request id as it may be stored: printable ASCII of the usual id alphabet, at most 64 characters. */
export function clientRequestId(given: string | undefined): string | null {
  const cleaned = (given ?? '').replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 64);
  return cleaned || null;
}

export function principalOf(req: Request): Principal | undefined {
  return req.user as Principal | undefined;
}

/** A signed-in person as an audit actor: (issuer, subject), the user id once bound, the e-mail only when vouched for. */
export function principalActor(p: Principal): AuditContext['actor'] {
  return { type: 'user', id: p.userId ? `user:${p.userId} ${p.issuer}|${p.subject}` : `${p.issuer}|${p.subject}`, label: p.emailVerified ? p.email : null };
}

export function auditContext(req: Request): AuditContext {
  const p = principalOf(req);
  return {
    actor: p ? principalActor(p) : { type: 'anonymous', id: null, label: null },
    ip: req.ip ?? null,
    correlationId: req.id,
    clientRequestId: req.clientRequestId,
  };
}
