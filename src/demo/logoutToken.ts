// A back-channel logout token as OpenID Connect Back-Channel Logout 1.0 (section 2.6) says a relying
// party must check it: signed by the issuer (its JWKS), for this client, recent, carrying the logout
// event, naming a subject or a session, and never carrying a nonce (which would make it an ID token
// someone is replaying here). The JWT checks themselves are jose's, as openid-client's are.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a token may be; the issuer sends it at once, and its jti is remembered for this long. */
const MAX_AGE_S = 300;

export interface LogoutTokenChecker {
  /** The logout's subject and session, or throws saying what is wrong. */
  check(token: string): Promise<{ sub?: string; sid?: string }>;
}

export function logoutTokenChecker(o: { issuer: string; jwksUri: string; clientId: string; algorithms?: string[] }): LogoutTokenChecker {
  const jwks = createRemoteJWKSet(new URL(o.jwksUri));
  const seen = new Map<string, number>();
  return {
    async check(token) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: o.issuer,
        audience: o.clientId,
        typ: 'logout+jwt',
        algorithms: o.algorithms,
        maxTokenAge: MAX_AGE_S,
        requiredClaims: ['iat', 'jti', 'events'],
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || typeof events[LOGOUT_EVENT] !== 'object') throw new Error('not a logout event');
      if ('nonce' in payload) throw new Error('a logout token carries no nonce');
      const { sub, sid } = payload as JWTPayload & { sid?: unknown };
      if (typeof sub !== 'string' && typeof sid !== 'string') throw new Error('names neither a subject nor a session');
      const now = Date.now();
      for (const [jti, at] of seen) if (now - at > MAX_AGE_S * 1000) seen.delete(jti);
      if (seen.has(payload.jti!)) throw new Error('this logout token was already used');
      seen.set(payload.jti!, now);
      return { sub: typeof sub === 'string' ? sub : undefined, sid: typeof sid === 'string' ? sid : undefined };
    },
  };
}
