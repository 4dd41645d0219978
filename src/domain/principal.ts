import type { IdpKind } from '../db/rows.ts';

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
}

export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();
