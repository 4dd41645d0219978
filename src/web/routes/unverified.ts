// A partner whose sign-in did not prove her e-mail address cannot ask for access: her organization,
// and so every rule about it, is read from that address. She is told why and what to do, with a 403,
// instead of a form she could not send (or, before, an empty list with no button and no reason).
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/knex.ts';
import { findIdpById, findIdpBySlug, findIdpForDomain } from '../../db/identityProviders.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { emailDomain } from '../../domain/principal.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { render } from '../render.ts';

export function unverifiedPage(db: Db) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const p = principalOf(req);
    if (!p || p.idpKind === 'home' || p.emailVerified) return next();
    try {
      const why = p.emailRefusal === 'notVouched' ? 'not vouched for' : 'e-mail not verified by the identity provider';
      await recordRefusal(db, auditContext(req), 'request:create', req.originalUrl.slice(0, 200), `policy denied: ${why}`);
      const idp = await findIdpById(db, p.idpId);
      // A mailed code proves the address when no identity provider serves its domain and codes are on.
      const codes = await findIdpBySlug(db, 'email-code');
      const codeAllowed = Boolean(codes?.enabled) && !(await findIdpForDomain(db, emailDomain(p.email)));
      render(req, res, 'partner/unverified', {
        title: 'choices.unverified.title',
        refusal: p.emailRefusal ?? 'unverified',
        idpName: idp?.name ?? p.idpSlug,
        codeAllowed,
      }, 403);
    } catch (err) {
      next(err);
    }
  };
}
