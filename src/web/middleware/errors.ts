import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.ts';
import { render } from '../render.ts';
import type { Db } from '../../db/knex.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { auditContext } from './requestContext.ts';
import { rateLimitAudit } from './rateLimit.ts';

// The API never gets here: its router, mounted first, answers everything under /v1.0 itself, errors
// and unknown paths included, in Graph's shape (src/api/errors.ts). JSON here is for a page's caller
// that asks for it.
function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

export function notFoundHandler(req: Request, res: Response): void {
  res.status(404);
  if (wantsJson(req)) res.json({ error: { code: 'not_found', message: 'Not found' } });
  else render(req, res, 'error', { title: 'errors.title', message: 'errors.notFound', params: {} }, 404);
}

/** Expected errors become their status and message; anything else is logged with the request id. */
export function errorHandler(log: Logger, db: Db, invitationDays = 14) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    let status = 500;
    let code = 'internal';
    let message = 'errors.internal';
    let fields: Record<string, string> = {};
    const e = err as { status?: number; statusCode?: number; type?: string };
    if (err instanceof AppError) {
      ({ status, code, message, fields } = err);
      // A form posted without the session's CSRF token is a refused request like any other.
      const limited = rateLimitAudit(err);
      const refusal = code === 'csrf' ? { action: 'csrf', target: req.path.slice(0, 200), reason: 'missing or wrong CSRF token' } : limited;
      if (refusal) {
        await recordRefusal(db, auditContext(req), refusal.action, refusal.target, refusal.reason).catch((e: unknown) => log.error({ err: e, reqId: req.id }, 'could not audit a refusal'));
      }
    } else if (e?.type === 'entity.too.large') {
      status = 413; code = 'too_large'; message = 'errors.tooLarge';
    } else if (e?.status && e.status >= 400 && e.status < 500) {
      status = e.status; code = 'bad_request'; message = 'errors.invalidForm';
    } else {
      log.error({ err, reqId: req.id }, 'unhandled error');
    }
    if (res.headersSent) return;
    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: { code, message: res.locals.t ? res.locals.t(message, { id: req.id }) : message, fields } });
      return;
    }
    try {
      // Every link that opens no invitation (made up, expired, used, replaced) gets this one page: no oracle.
      if (code === 'invalid_invitation') return render(req, res, 'redeem/invalid', { title: 'invitationExpiry.page.title', days: invitationDays }, status);
      render(req, res, 'error', { title: 'errors.title', message, params: { id: req.id }, fields }, status);
    } catch (renderErr) {
      log.error({ err: renderErr, reqId: req.id }, 'error page failed to render');
      res.type('text/plain').send(`Error ${status}. Reference ${req.id}`);
    }
  };
}
