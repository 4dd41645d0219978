import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../domain/errors.ts';

const FORBIDDEN_KEY = /(^|\[)(__proto__|constructor|prototype)(\[|\]|$)/;

/**
 * Refuses form fields named like object internals (`__proto__[x]`, `constructor`): no handler
 * needs them, and a parser or a merge further down must never see them.
 */
export function bodyGuard(req: Request, _res: Response, next: NextFunction): void {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && Object.keys(body).some((k) => FORBIDDEN_KEY.test(k))) {
    return next(new AppError(400, 'invalid', 'errors.invalidForm'));
  }
  next();
}
