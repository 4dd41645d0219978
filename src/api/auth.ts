// Bearer tokens of API clients: looked up by hash, refused with 401 (no token, unknown or revoked)
// or 403 (a scope the client does not hold); every refusal is audited.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/knex.ts';
import { findApiClientByHash, touchApiClient, type ApiClient } from '../db/apiClients.ts';
import { hashToken } from '../domain/tokens.ts';
import { grants, type Scope } from '../domain/scopes.ts';
import { looksLikeApiToken } from '../commands/apiClients.ts';
import { recordRefusal } from '../commands/recordRefusal.ts';
import { ApiError } from './errors.ts';
import { apiAuditContext } from './auditContext.ts';

declare module 'express-serve-static-core' {
  interface Request {
    apiClient?: ApiClient;
  }
}

const challenge = (error?: string) => ({ 'WWW-Authenticate': `Bearer realm="passerelle"${error ? `, error="${error}"` : ''}` });

export function authenticate(db: Db) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      await recordRefusal(db, apiAuditContext(req), 'api.authenticate', req.path.slice(0, 200), 'no bearer token');
      return next(new ApiError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge()));
    }
    const client = looksLikeApiToken(m[1]) ? await findApiClientByHash(db, hashToken(m[1])) : undefined;
    if (!client) {
      // Unknown, malformed and revoked tokens get the same answer.
      await recordRefusal(db, apiAuditContext(req), 'api.authenticate', req.path.slice(0, 200), 'unknown or revoked token');
      return next(new ApiError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid or revoked token.', challenge('invalid_token')));
    }
    req.apiClient = client;
    await touchApiClient(db, client);
    next();
  };
}

export function requireScope(db: Db, scopes: Scope[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const held = req.apiClient!.scopes;
    if (scopes.some((s) => grants(held, s))) return next();
    await recordRefusal(db, apiAuditContext(req), 'api.authorize', req.path.slice(0, 200), `needs ${scopes.join(' or ')}`);
    next(new ApiError(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. This call needs the scope ${scopes.join(' or ')}.`, challenge('insufficient_scope')));
  };
}
