import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../domain/errors.ts';

// Synchronizer tokens kept in the server-side session; every form carries one in `_csrf`.
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')),
});

export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(new AppError(403, 'csrf', 'errors.csrf'));
    next();
  });
}

/** Makes `csrfToken` available to every view that renders a form. */
export function csrfLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = req.session ? generateToken(req) : '';
  next();
}
