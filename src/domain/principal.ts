import type { IdpKind } from './model.ts';
import { isLocale, type Locale } from './locales.ts';

/** What an IdP (or a mailed code) proved at sign-in, before Passerelle decides what to believe of it. */
export interface VerifiedClaims {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/**
 * Who is signed in, as kept in the session: the verified identity from the IdP plus, when the
 * identity is bound to a user, that user's id. Roles are re-read from the database on every request.
 */
export interface Principal {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  /** Why emailVerified is false: the IdP did not verify the address, or is no authority for its domain. */
  emailRefusal?: 'unverified' | 'notVouched';
  name: string;
  idpId: number;
  idpSlug: string;
  idpKind: IdpKind;
  userId: number | null;
  userType: 'member' | 'guest' | null;
  role: 'admin' | null;
  /** The language this person chose, remembered on their user; null to follow the browser. */
  locale?: Locale | null;
}

export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** What the session keeps of a principal; the user's id, type and role are read again on every request. */
export type StoredPrincipal = Omit<Principal, 'userId' | 'userType' | 'role' | 'locale'>;

/** The user an identity is bound to, as a request finds them. */
export interface SessionUser {
  id: number;
  user_type: 'member' | 'guest';
  role: 'admin' | null;
  state: 'invited' | 'active' | 'disabled' | 'removed';
  locale?: string | null;
}

export function storedPrincipal(p: Principal): StoredPrincipal {
  const { userId: _u, userType: _t, role: _r, locale: _l, ...stored } = p;
  return stored;
}

export function principalOfSession(stored: StoredPrincipal, user: SessionUser | undefined): Principal {
  return { ...stored, userId: user?.id ?? null, userType: user?.user_type ?? null, role: user?.role ?? null, locale: isLocale(user?.locale) ? user.locale : null };
}

/**
 * Why a signed-in session no longer stands, or null while it does: a person disabled or removed, or
 * the IdP they signed in through disabled (say after a compromise) or deleted, loses access on their
 * next click, not at the end of the session.
 */
export function sessionEndReason(idpEnabled: boolean, user: Pick<SessionUser, 'state'> | undefined): string | null {
  if (!idpEnabled) return 'identity provider disabled';
  if (user && (user.state === 'disabled' || user.state === 'removed')) return `user is ${user.state}`;
  return null;
}
