import type { IdpKind } from './model.ts';

/** What the directory says about one e-mail domain, read when someone signs in with an address there. */
export interface DomainAuthority {
  /** Identity providers (enabled or not) that list the domain as one they serve. */
  listedBy: number[];
  /** The registered partner organization that verified the domain, and the IdP it signs in with. */
  organization: { identityProviderId: number | null } | null;
}

/**
 * Whether an identity provider's "verified e-mail" is believed for an address at this domain.
 * An IdP is authoritative for the domains it lists, and for its own partner organization's domains;
 * a registered organization's domain is otherwise only proved by a mailed one-time code, whatever a
 * foreign IdP asserts (so Initech cannot make someone "ceo@hooli.test" by editing a claim, even
 * while Hooli has no IdP). Only a social provider, which exists to vouch for mailboxes it hosts or
 * has checked, is believed for a domain nobody has registered.
 */
export function vouchesFor(idp: { id: number; kind: IdpKind }, authority: DomainAuthority): boolean {
  if (idp.kind === 'email') return true;
  if (authority.listedBy.includes(idp.id)) return true;
  if (authority.organization) return authority.organization.identityProviderId === idp.id;
  if (authority.listedBy.length > 0) return false;
  return idp.kind === 'social';
}
