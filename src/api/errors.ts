// Microsoft Graph's error body, so Graph clients surface our errors as their own GraphError:
// { "error": { "code", "message", "innerError": { "request-id", "date" } } }.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, rateLimitAudit } from '../domain/errors.ts';
import { t } from '../i18n/t.ts';
import type { Db } from '../db/knex.ts';
import { recordRefusal } from '../commands/recordRefusal.ts';
import { apiAuditContext } from './auditContext.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Graph's directory codes for each status. */
const CODES: Record<number, string> = {
  400: 'Request_BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  405: 'Request_BadRequest',
  409: 'Request_Conflict',
  413: 'Request_EntityTooLarge',
  415: 'Request_UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'generalException',
  503: 'serviceNotAvailable',
};

export const badRequest = (message: string) => new ApiError(400, CODES[400], message);
export const notFoundApi = (what: string) => new ApiError(404, CODES[404], `${what} does not exist.`);

export function sendApiError(req: Request, res: Response, status: number, code: string, message: string): void {
  res.status(status).json({
    error: { code, message, innerError: { 'request-id': req.id, ...(req.clientRequestId && { 'client-request-id': req.clientRequestId }), date: new Date().toISOString().slice(0, 19) } },
  });
}

/** Maps every error under /v1.0 to Graph's shape; nothing falls through to the HTML error page. */
export function apiErrorHandler(log: Logger, db: Db) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    if (res.headersSent) return;
    const limited = rateLimitAudit(err);
    if (limited) {
      await recordRefusal(db, apiAuditContext(req), limited.action, limited.target, limited.reason).catch((e: unknown) => log.error({ err: e, reqId: req.id }, 'could not audit a refusal'));
    }
    const e = err as { status?: number; type?: string };
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      return sendApiError(req, res, err.status, err.code, err.message);
    }
    if (err instanceof AppError) {
      if (err.status === 429 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '60');
      const fields = Object.entries(err.fields).map(([f, m]) => `${f}: ${t(m)}`);
      const message = [t(err.message, { id: req.id }), ...fields].join(' ');
      return sendApiError(req, res, err.status, CODES[err.status] ?? CODES[400], message);
    }
    if (e?.type === 'entity.too.large') return sendApiError(req, res, 413, CODES[413], 'The request body is larger than 64 kB.');
    if (e?.type === 'entity.parse.failed') return sendApiError(req, res, 400, CODES[400], 'The request body is not valid JSON.');
    if (e?.status && e.status >= 400 && e.status < 500) return sendApiError(req, res, e.status, CODES[e.status] ?? CODES[400], 'The request could not be read.');
    log.error({ err, reqId: req.id }, 'unhandled API error');
    sendApiError(req, res, 500, CODES[500], `Something went wrong on our side. Reference ${req.id}.`);
  };
}
