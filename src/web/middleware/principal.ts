// Who is asking: passport keeps the verified identity in the session and this reads the rest (the
// user's id, type and role) again on every request, with the IdP's switch, so that a removed guest,
// a revoked admin or everybody who signed in through an IdP an admin just disabled loses access on
// their next click, not at the end of the session.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PassportStatic } from 'passport';
import type { Deps } from '../../deps.ts';
import { findSessionUser } from '../../db/users.ts';
import { recordSessionEnded } from '../../commands/recordSessionEnded.ts';
import { principalOfSession, sessionEndReason, storedPrincipal, type Principal, type StoredPrincipal } from '../../domain/principal.ts';
import { auditContext, principalActor } from './requestContext.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set while the session was read: its person may no longer be signed in, and why. */
    endedSession?: { principal: Principal; reason: string };
  }
}

/** passport's session handling on this app's Passport, then the end of sessions that no longer stand. */
export function principalFromSession(deps: Deps, passport: PassportStatic): RequestHandler[] {
  passport.serializeUser((user, done) => done(null, storedPrincipal(user as Principal)));
  passport.deserializeUser(async (req: Request, stored: StoredPrincipal, done: (err: unknown, user?: Principal | false) => void) => {
    try {
      // One query: the user bound to the identity and the IdP's switch together.
      const { idpEnabled, user } = await findSessionUser(deps.db, stored.idpId, stored.issuer, stored.subject);
      const principal = principalOfSession(stored, user);
      const ended = sessionEndReason(idpEnabled, user);
      if (ended) {
        req.endedSession = { principal, reason: ended };
        return done(null, false);
      }
      done(null, principal);
    } catch (err) {
      done(err);
    }
  });
  return [passport.initialize(), passport.session(), endSessionWhenRevoked(deps)];
}

/**
 * Ends, on its first request after the fact, a session whose person was disabled or removed or whose
 * IdP was disabled: the session is regenerated (the old id is deleted with whatever it held), the
 * request goes on anonymous, and the log says whose session ended and why.
 */
function endSessionWhenRevoked(deps: Deps) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const ended = req.endedSession;
    if (!ended) return next();
    try {
      await recordSessionEnded(deps, { ...auditContext(req), actor: principalActor(ended.principal) }, ended.principal, ended.reason);
      req.session.regenerate((err) => next(err));
    } catch (err) {
      next(err);
    }
  };
}
