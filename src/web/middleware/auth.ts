import type { NextFunction, Request, Response } from 'express';
import { can, refusalMessage, type Ability } from '../../domain/policies.ts';
import { forbidden } from '../../domain/errors.ts';
import { auditContext, principalOf } from './requestContext.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import type { Db } from '../../db/knex.ts';

/** Anonymous visitors are sent to sign in and brought back to where they were going. */
export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (principalOf(req)) return next();
  if (req.method !== 'GET') return res.redirect(303, '/?signIn=1');
  (req.session as { returnTo?: string }).returnTo = req.originalUrl;
  // Saved before the redirect leaves: express-session would send the headers first and save after,
  // and a browser that follows the 303 at once could start its sign-in on the session without the
  // address (seen under load: a sponsor following a mailed link landed on the inbox, not the request).
  req.session.save((err) => (err ? next(err) : res.redirect(303, '/?signIn=1')));
}

/** Checks an ability that needs no object; refusals are audited. */
export function requireAbility(db: Db, ability: Ability) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const p = principalOf(req);
    if (!p) return requireSignIn(req, res, next);
    if (can(p, ability)) return next();
    await recordRefusal(db, auditContext(req), ability, req.originalUrl.slice(0, 200), 'policy denied');
    next(forbidden(refusalMessage(p, ability)));
  };
}
