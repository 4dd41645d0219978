import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import type { IdentityProvider } from '../db/rows.ts';
import { bindIdentity, findUserByEmail, findUserByIdentity, insertUser, touchSignIn } from '../db/users.ts';
import { findOrgForDomain } from '../db/organizations.ts';
import { domainAuthority } from '../db/emailDomains.ts';
import { vouchesFor } from '../domain/vouching.ts';
import { isDenied } from '../domain/organizationPolicy.ts';
import { forbidden } from '../domain/errors.ts';
import { emailDomain, type Principal, type VerifiedClaims } from '../domain/principal.ts';
import { recordRefusal } from './recordRefusal.ts';

/**
 * Turns a verified sign-in into a principal. People of our own organization (home IdP) become
 * members on first sign-in; a member pre-created by e-mail (say by `passerelle admin grant`) is
 * bound to the identity when the home IdP vouches for that e-mail. Partners are looked up by
 * identity only: an e-mail never reaches someone else's account.
 */
export async function signIn(deps: Deps, ctx: AuditContext, idp: IdentityProvider, claims: VerifiedClaims): Promise<Principal> {
  const { db } = deps;
  const email = claims.email.toLowerCase();
  // The IdP's word on the address counts only for domains it is an authority for (src/domain/vouching.ts).
  const vouched = vouchesFor(idp, await domainAuthority(db, emailDomain(email)));
  const c: VerifiedClaims = { ...claims, emailVerified: claims.emailVerified && vouched };
  const emailRefusal = c.emailVerified ? undefined : claims.emailVerified ? 'notVouched' : 'unverified';
  // An address nobody vouched for is a claim, not an identity: the log names the actor by (issuer, subject).
  const actorCtx: AuditContext = { ...ctx, actor: { type: 'user', id: `${c.issuer}|${c.subject}`, label: c.emailVerified ? email : null } };

  if (idp.kind !== 'home') {
    if (isDenied(await findOrgForDomain(db, emailDomain(email)))) {
      await recordRefusal(db, actorCtx, 'auth.sign_in', null, `domain ${emailDomain(email)} is denied`);
      throw forbidden('errors.domainDenied');
    }
  }

  const existing = await findUserByIdentity(db, c.issuer, c.subject);
  if (existing && (existing.state === 'disabled' || existing.state === 'removed')) {
    await recordRefusal(db, actorCtx, 'auth.sign_in', `user:${existing.id}`, `user is ${existing.state}`);
    throw forbidden('errors.accountDisabled');
  }

  return inTransaction(db, async (trx) => {
    let user = await findUserByIdentity(trx, c.issuer, c.subject);
    if (!user && idp.kind === 'home' && c.emailVerified) {
      const member = await findUserByEmail(trx, 'member', email);
      const id = member?.id ?? (await insertUser(trx, { display_name: c.name, email, user_type: 'member', state: 'active' }));
      await bindIdentity(trx, id, { issuer: c.issuer, subject: c.subject, identityProviderId: idp.id });
      await appendAudit(trx, actorCtx, {
        action: member ? 'member.identity_bound' : 'member.created',
        target: `user:${id}`,
        details: { email, idp: idp.slug },
      });
      user = await findUserByIdentity(trx, c.issuer, c.subject);
    }
    if (user) await touchSignIn(trx, user.id, c.name);
    await appendAudit(trx, { ...actorCtx, actor: { ...actorCtx.actor, id: user ? `user:${user.id} ${c.issuer}|${c.subject}` : actorCtx.actor.id } }, {
      action: 'auth.signed_in',
      target: user ? `user:${user.id}` : null,
      details: { idp: idp.slug, emailVerified: c.emailVerified, ...(emailRefusal && { emailRefusal, claimedEmail: email.slice(0, 320) }) },
    });
    return {
      issuer: c.issuer,
      subject: c.subject,
      email,
      emailVerified: c.emailVerified,
      ...(emailRefusal && { emailRefusal }),
      // A guest who set her own name is shown by it, not by her IdP's (nor her address's local part).
      name: user?.name_chosen ? user.display_name : c.name,
      idpId: idp.id,
      idpSlug: idp.slug,
      idpKind: idp.kind,
      userId: user?.id ?? null,
      userType: user?.user_type ?? null,
      role: user?.role ?? null,
    };
  });
}
