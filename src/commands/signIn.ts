import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import type { IdentityProvider } from '../db/rows.ts';
import { bindIdentity, findUserByEmail, findUserByIdentity, insertUser, touchSignIn } from '../db/users.ts';
import { findOrgForDomain } from '../db/organizations.ts';
import { findIdpForDomain } from '../db/identityProviders.ts';
import { forbidden } from '../domain/errors.ts';
import { emailDomain, type Principal } from '../domain/principal.ts';
import { recordRefusal } from './recordRefusal.ts';

/**
 * An identity provider vouches only for addresses it is authoritative for: a domain registered to
 * one provider is verified only by that provider (another IdP saying "paula@acme.test, verified"
 * is not believed, so it can neither redeem Paula's invitation nor pass Acme's domain rules).
 * Domains no provider serves are verified by whoever says so; a mailed one-time code proves the
 * mailbox itself.
 */
async function vouchesFor(deps: Deps, idp: IdentityProvider, email: string): Promise<boolean> {
  if (idp.kind === 'email') return true;
  const owner = await findIdpForDomain(deps.db, emailDomain(email));
  return !owner || owner.id === idp.id;
}

export interface VerifiedClaims {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/**
 * Turns a verified sign-in into a principal. People of our own organization (home IdP) become
 * members on first sign-in; a member pre-created by e-mail (say by `passerelle admin grant`) is
 * bound to the identity when the home IdP vouches for that e-mail. Partners are looked up by
 * identity only: an e-mail never reaches someone else's account.
 */
export async function signIn(deps: Deps, ctx: AuditContext, idp: IdentityProvider, claims: VerifiedClaims): Promise<Principal> {
  const { db } = deps;
  const email = claims.email.toLowerCase();
  const c: VerifiedClaims = { ...claims, emailVerified: claims.emailVerified && (await vouchesFor(deps, idp, email)) };
  const actorCtx: AuditContext = { ...ctx, actor: { type: 'user', id: `${c.issuer}|${c.subject}`, label: email } };

  if (idp.kind !== 'home') {
    const org = await findOrgForDomain(db, emailDomain(email));
    if (org?.policy === 'deny') {
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
      details: { idp: idp.slug, emailVerified: c.emailVerified },
    });
    return {
      issuer: c.issuer,
      subject: c.subject,
      email,
      emailVerified: c.emailVerified,
      name: c.name,
      idpId: idp.id,
      idpSlug: idp.slug,
      idpKind: idp.kind,
      userId: user?.id ?? null,
      userType: user?.user_type ?? null,
      role: user?.role ?? null,
    };
  });
}
