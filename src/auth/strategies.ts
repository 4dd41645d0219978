// One Passport strategy per identity provider, named `idp:<slug>`, built from the database on first
// use and rebuilt when the provider row changes, so a provider added at run time works on every web
// process without a restart. A provider whose discovery failed is not asked again for a short
// while: anyone can open /auth/<slug>, and each visit must not become a request to a broken IdP.
import passport from 'passport';
import * as client from 'openid-client';
import { Strategy } from 'openid-client/passport';
import type { Request } from 'express';
import type { Deps } from '../deps.ts';
import type { IdentityProvider } from '../db/rows.ts';
import type { VerifiedClaims } from '../domain/principal.ts';
import { discoverIdp } from './discovery.ts';

/** How long a failed discovery is answered from memory (per provider row version). */
export const DISCOVERY_FAILURE_TTL_MS = 30_000;

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
  private readonly failed = new Map<string, { version: string; until: number; error: unknown }>();

  constructor(
    readonly passport: passport.PassportStatic,
    private readonly deps: Deps,
  ) {}

  /**
   * Makes sure the strategy for this provider exists and matches the current row. A failure is
   * remembered for this row version: a changed row (an admin's edit, a successful test) tries again.
   */
  async ensure(idp: IdentityProvider): Promise<string> {
    if (this.built.get(idp.slug) !== idp.updated_at) {
      const failure = this.failed.get(idp.slug);
      if (failure && failure.version === idp.updated_at && Date.now() < failure.until) throw failure.error;
      let p = this.pending.get(idp.slug);
      if (!p) {
        p = build(this.deps, idp)
          .then(
            (strategy) => {
              this.passport.use(strategyName(idp.slug), strategy);
              this.built.set(idp.slug, idp.updated_at);
              this.failed.delete(idp.slug);
            },
            (err: unknown) => {
              this.failed.set(idp.slug, { version: idp.updated_at, until: Date.now() + DISCOVERY_FAILURE_TTL_MS, error: err });
              throw err;
            },
          )
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
  // Discovery, and later the token, key and userinfo calls, go through the guarded fetch.
  const config = await discoverIdp(deps.config, idp);
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
