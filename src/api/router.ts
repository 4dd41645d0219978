// Mounts every endpoint under /v1.0: JSON body, bearer token, scope, rate limit per client, input
// validated by the endpoint's schemas, Graph-shaped errors. Nothing here uses the session or CSRF:
// a bearer token is not sent by browsers on their own.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Endpoint } from './endpoint.ts';
import { ApiError, apiErrorHandler, badRequest, sendApiError } from './errors.ts';
import { authenticate, requireScope } from './auth.ts';
import { apiAuditContext } from './auditContext.ts';
import { openApiDocument } from './openapi.ts';
import { invitationEndpoints } from './resources/invitations.ts';
import { directoryEndpoints } from './resources/directory.ts';
import { auditEndpoints } from './resources/audit.ts';
import { accessRequestEndpoints } from './resources/accessRequests.ts';
import { applicationEndpoints } from './resources/applications.ts';
import { accessReviewEndpoints } from './resources/accessReviews.ts';

export const ENDPOINTS: Endpoint[] = [...invitationEndpoints, ...directoryEndpoints, ...accessRequestEndpoints, ...auditEndpoints, ...applicationEndpoints, ...accessReviewEndpoints];

/** /groups/{id}/members → /groups/:id/members (Express 5 takes `$` literally). */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.map(String).join('.');
      const message = i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: not a property this call accepts` : `${path || where}: ${i.message}`;
      return i.code === 'unrecognized_keys' && path ? `${path}.${message}` : message;
    })
    .join('; ');
}

function parse<T>(schema: z.ZodType | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`Invalid ${where}. ${describeIssues(where, r.error)}.`);
  return r.data as T;
}

/** Graph clients may send OData annotations such as "@odata.type" in a body; they carry nothing here. */
function withoutAnnotations(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('@odata.') || k === '@odata.id'));
}

export function apiRouter(deps: Deps, log: Logger, perClient: RequestHandler, perAccount: RequestHandler): Router {
  const r = Router();
  const base = `${deps.config.publicUrl}/v1.0`;
  const document = openApiDocument(ENDPOINTS, deps.config.publicUrl);
  r.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.get('/v1.0/openapi.json', (_req, res) => {
    res.json(document);
  });
  r.use('/v1.0', perClient, express.json({ limit: '64kb', strict: true, type: ['application/json', 'application/*+json'] }));

  for (const e of ENDPOINTS) {
    const handlers: RequestHandler[] = [
      authenticate(deps.db),
      perAccount,
      requireScope(deps.db, e.scopes),
      async (req: Request, res: Response) => {
        if (e.body && req.method !== 'GET' && req.body === undefined && req.headers['content-length'] && !req.is('application/json')) {
          throw new ApiError(415, 'Request_UnsupportedMediaType', 'Send the body as application/json.');
        }
        const result = await e.handle({
          params: parse(e.params, req.params, 'path'),
          query: parse(e.query, req.query, 'query'),
          body: parse(e.body, withoutAnnotations(req.body), 'body'),
          client: req.apiClient!,
          ctx: apiAuditContext(req),
          deps,
          base,
          req,
        });
        for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
        if (result.body === undefined) res.status(result.status).end();
        else res.status(result.status).json(result.body);
      },
    ];
    r[e.method](`/v1.0${expressPath(e.path)}`, ...handlers);
  }

  // A known path with another method is 405 (with Allow); anything else under /v1.0 is 404.
  r.use('/v1.0', (req, res) => {
    const allowed = ENDPOINTS.filter((e) => matches(e.path, req.path)).map((e) => e.method.toUpperCase());
    if (allowed.length) {
      res.setHeader('Allow', allowed.join(', '));
      return sendApiError(req, res, 405, 'Request_BadRequest', `${req.method} is not supported here; use ${allowed.join(' or ')}.`);
    }
    sendApiError(req, res, 404, 'Request_ResourceNotFound', `Resource not found for the segment '${req.path.split('/').filter(Boolean)[0] ?? ''}'.`);
  });
  r.use('/v1.0', apiErrorHandler(log, deps.db));
  return r;
}

function matches(template: string, path: string): boolean {
  const re = new RegExp(`^${template.replace(/[$.]/g, '\\$&').replace(/\\?\{\w+\}/g, '[^/]+')}/?$`);
  return re.test(path);
}
