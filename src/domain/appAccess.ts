// "May this person sign in to this app now": one answer for the authorization request, the code and
// refresh-token exchanges and userinfo alike, so that access ended anywhere is access ended everywhere.
import type { AppClaim, AppClient, User } from './model.ts';

export type AppAccess = { allowed: true } | { allowed: false; reason: AppRefusal };
export type AppRefusal = 'user not active' | 'no membership' | 'members not allowed';

export interface AppAccessFacts {
  user: Pick<User, 'state' | 'user_type'>;
  client: Pick<AppClient, 'assignment_required' | 'allow_members'>;
  /** The person holds an unexpired membership of the app's catalog item. */
  holdsMembership: boolean;
}

export function appAccess({ user, client, holdsMembership }: AppAccessFacts): AppAccess {
  // An invited guest who has not redeemed yet has no identity to sign in with; disabled and removed
  // people have none any more.
  if (user.state !== 'active') return { allowed: false, reason: 'user not active' };
  if (user.user_type === 'member') {
    if (!client.assignment_required || client.allow_members || holdsMembership) return { allowed: true };
    return { allowed: false, reason: 'members not allowed' };
  }
  if (!client.assignment_required || holdsMembership) return { allowed: true };
  return { allowed: false, reason: 'no membership' };
}

/** The groups an app sees of a person's: those they hold that the admin lets this app see. */
export function visibleGroups<G extends { id: number }>(held: G[], client: Pick<AppClient, 'visible_group_ids'>): G[] {
  const visible = new Set(client.visible_group_ids);
  return held.filter((g) => visible.has(g.id));
}

/**
 * Whether a redirect URI may be registered: exact URIs only (no fragment, no wildcard), https in
 * production, and plain http only for loopback hosts outside it (RFC 8252 §7.3 native/dev apps).
 * Returns the message key of what is wrong, or null.
 */
export function redirectUriProblem(uri: string, production: boolean): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'appClient.errors.uri';
  }
  if (u.hash || uri.includes('*')) return 'appClient.errors.uriExact';
  if (u.protocol === 'https:') return null;
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol === 'http:' && loopback && !production) return null;
  return production ? 'appClient.errors.httpsRequired' : 'appClient.errors.httpsOrLoopback';
}

/** Which claims each scope an app may ask for releases (sub, amr and acr are always in the ID token). */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'user_type', 'idp'],
  groups: ['groups'],
};

/** The app claims a request for these scopes would release, of those the admin lets the app receive. */
export function releasedClaims(scopes: Iterable<string>, allowed: readonly AppClaim[]): AppClaim[] {
  const asked = new Set([...scopes].flatMap((s) => SCOPE_CLAIMS[s] ?? []));
  return allowed.filter((c) => asked.has(c));
}

/** How the person signed in, as RFC 8176 `amr` values and Passerelle's `acr`. */
export function authenticationMethods(idpKind: string): { amr: string[]; acr: string } {
  return idpKind === 'email' ? { amr: ['otp'], acr: ACR.emailCode } : { amr: ['fed'], acr: ACR.federated };
}

export const ACR = { federated: 'urn:passerelle:acr:federated', emailCode: 'urn:passerelle:acr:email-code' } as const;

/**
 * Where a tile or an invitation sends a person to open an app: the app's own sign-in when it
 * registered one (OpenID Connect third-party-initiated login: `iss`, and the page to land on as
 * `target_link_uri`), else its launch URL.
 */
export function appLaunchUrl(
  launchUrl: string | null,
  client: Pick<AppClient, 'initiate_login_uri'> | undefined,
  issuer: string,
  target: string | null = launchUrl,
): string | null {
  if (!client?.initiate_login_uri) return target;
  const u = new URL(client.initiate_login_uri);
  u.searchParams.set('iss', issuer);
  if (target) u.searchParams.set('target_link_uri', target);
  return u.toString();
}
