import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuditContext } from '../../db/audit.ts';
import type { Principal } from '../../domain/principal.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/** A correlation id per request: taken from a well-formed X-Request-Id, else made here. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  req.id = given && /^[A-Za-z0-9._-]{8,100}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
}

export function principalOf(req: Request): Principal | undefined {
  return req.user as Principal | undefined;
}

export function auditContext(req: Request): AuditContext {
  const p = principalOf(req);
  return {
    actor: p
      ? { type: 'user', id: p.userId ? `user:${p.userId} ${p.issuer}|${p.subject}` : `${p.issuer}|${p.subject}`, label: p.email }
      : { type: 'anonymous', id: null, label: null },
    ip: req.ip ?? null,
    correlationId: req.id,
  };
}
