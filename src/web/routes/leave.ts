// A guest leaves the organization from My access: a page that says what happens and asks to
// confirm (GET changes nothing), then a POST that ends everything, signs her out here and shows
// what happened. Works without JavaScript.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { readBranding } from '../../db/branding.ts';
import { membershipsOf } from '../../db/memberships.ts';
import { leaveOrganization } from '../../commands/leaveOrganization.ts';
import { AppError, invalid } from '../../domain/errors.ts';
import type { OidcMount } from '../../oidc/mount.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfLocals, csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { render } from '../render.ts';

const confirmation = z.object({ confirm: z.literal('yes') });

export function leaveRoutes(deps: Deps, oidc: Pick<OidcMount, 'endBrowserSession'>): Router {
  const r = Router();
  const { db } = deps;
  const organizationName = async () => (await readBranding(db)).companyName;

  const leftPage = async (req: Request, res: Response, already: boolean, status = 200) => {
    const organization = await organizationName();
    render(req, res, 'partner/left', { title: 'leave.done.title', titleParams: { organization }, organization, already }, status);
  };

  // A guest whose session ended on this very request because she is disabled (she left in another
  // tab or browser): she hears that she already left, rather than a bare sign-in or CSRF refusal.
  const alreadyLeft = async (req: Request, res: Response, next: NextFunction) => {
    if (!principalOf(req) && req.endedSession?.principal.userType === 'guest' && req.endedSession.reason === 'user is disabled') return leftPage(req, res, true, 409);
    next();
  };

  r.get('/access/leave', requireAbility(db, 'access:leave'), async (req, res) => {
    const p = principalOf(req)!;
    const organization = await organizationName();
    const items = await membershipsOf(db, p.userId!);
    render(req, res, 'partner/leave', { title: 'leave.confirm.title', titleParams: { organization }, organization, items });
  });

  r.post('/access/leave', alreadyLeft, csrfProtection, requireAbility(db, 'access:leave'), async (req, res, next) => {
    if (!confirmation.safeParse(req.body ?? {}).success) throw invalid('errors.invalidForm');
    const p = principalOf(req)!;
    try {
      await leaveOrganization(deps, auditContext(req), p.userId!);
    } catch (err) {
      // Another tab got there first: nothing changed, and she is told so.
      if (err instanceof AppError && err.status === 409) return leftPage(req, res, true, 409);
      throw err;
    }
    // Her sign-in at the apps through Passerelle ends with this browser's provider session; the apps
    // themselves hear it from the outbox row the command wrote.
    await oidc.endBrowserSession(req, res, p.userId!);
    req.logout((err) => {
      if (err) return next(err);
      req.session.regenerate((regenErr) => {
        if (regenErr) return next(regenErr);
        csrfLocals(req, res, () => void leftPage(req, res, false).catch(next));
      });
    });
  });

  return r;
}
