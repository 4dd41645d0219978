// One Passport strategy per identity provider, named `idp:<slug>`, built from the database on first
// use and rebuilt when the provider row changes, so a provider added at run time works on every web
// process without a restart.
import passport from 'passport';
import * as client from 'openid-client';
import { Strategy } from 'openid-client/passport';
import type { Request } from 'express';
import type { Deps } from '../deps.ts';
import type { IdentityProvider } from '../db/rows.ts';
import type { VerifiedClaims } from '../commands/signIn.ts';

/** openid-client's strategy, plus `state` and `nonce` on every request (PKCE alone is not all we check). */
class IdpStrategy extends Strategy {
  authorizationRequestParams(req: Request, options: Parameters<Strategy['authorizationRequestParams']>[1]): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) as URLSearchParams);
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    const hint = (req.session as { loginHint?: string }).loginHint;
    if (hint) params.set('login_hint', hint);
    return params;
  }
}

export const strategyName = (slug: string) => `idp:${slug}`;
export const callbackPath = (slug: string) => `/auth/${slug}/callback`;

/** The strategies of one app's Passport instance, and the row version each was built from. */
export class StrategyRegistry {
  private readonly built = new Map<string, string>(); // slug → updated_at
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    readonly passport: passport.PassportStatic,
    private readonly deps: Deps,
  ) {}

  /** Makes sure the strategy for this provider exists and matches the current row. */
  async ensure(idp: IdentityProvider): Promise<string> {
    if (this.built.get(idp.slug) !== idp.updated_at) {
      let p = this.pending.get(idp.slug);
      if (!p) {
        p = build(this.deps, idp)
          .then((strategy) => {
            this.passport.use(strategyName(idp.slug), strategy);
            this.built.set(idp.slug, idp.updated_at);
          })
          .finally(() => this.pending.delete(idp.slug));
        this.pending.set(idp.slug, p);
      }
      await p;
    }
    return strategyName(idp.slug);
  }
}

export type VerifiedSignIn = { idp: IdentityProvider; claims: VerifiedClaims };

async function build(deps: Deps, idp: IdentityProvider): Promise<passport.Strategy> {
  const options: client.DiscoveryRequestOptions = { timeout: 5 };
  if (deps.config.allowInsecureIdp) options.execute = [client.allowInsecureRequests];
  // The IdP's clock is not ours: ID-token times (exp, nbf) get the documented leeway
  // (OIDC_CLOCK_TOLERANCE_SECONDS) instead of openid-client's default 30 seconds.
  const metadata: Partial<client.ClientMetadata> = { client_secret: idp.client_secret, [client.clockTolerance]: deps.config.oidcClockToleranceSeconds };
  const config = await client.discovery(new URL(idp.issuer), idp.client_id, metadata, undefined, options);
  // Five seconds for every call to the IdP (token, userinfo): a slow IdP gives a clear page, not a hang.
  config.timeout = 5;
  const strategy = new IdpStrategy(
    {
      name: strategyName(idp.slug),
      sessionKey: `oidc:${idp.slug}`,
      config,
      scope: idp.scopes,
      callbackURL: `${deps.config.publicUrl}${callbackPath(idp.slug)}`,
    },
    async (tokens, verified) => {
      try {
        const idClaims = tokens.claims()!;
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        const email = String(info.email ?? idClaims.email ?? '');
        const user: VerifiedSignIn = {
          idp,
          claims: {
            issuer: idClaims.iss,
            subject: idClaims.sub,
            email,
            emailVerified: (info.email_verified ?? idClaims.email_verified) === true && email.includes('@'),
            name: String(info.name ?? idClaims.name ?? email).slice(0, 200),
          },
        };
        verified(null, user);
      } catch (err) {
        verified(err as Error);
      }
    },
  );
  return strategy as unknown as passport.Strategy;
}
