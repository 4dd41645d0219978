import type { Request, Response } from 'express';
import { principalOf } from './middleware/requestContext.ts';

/** Renders a view with what every page needs (who is signed in, the CSRF token is added by middleware). */
export function render(req: Request, res: Response, view: string, locals: Record<string, unknown> = {}, status = 200): void {
  res.status(status).render(view, {
    principal: principalOf(req),
    path: req.path,
    originalUrl: req.method === 'GET' ? req.originalUrl : '/',
    csrfToken: res.locals.csrfToken ?? '',
    fields: {},
    values: {},
    notice: null,
    ...locals,
  });
}

/** Only same-site relative paths: `//evil.example` and `/\evil` are refused. */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (/[\r\n]/.test(value)) return null;
  return value;
}

export function parseId(value: unknown): number | null {
  return typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null;
}
