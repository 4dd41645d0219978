// The OpenID Provider as an Express handler. It is built on first use (making the first signing key
// when there is none) and rebuilt when the keys changed: each web process looks at most every
// OIDC_KEYS_REFRESH_MS, so a key `passerelle keys rotate` added is in every JWKS within that time
// (and signs only after it, keys.ts signingOrder), and a retired one leaves every JWKS once its
// tokens have expired.
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AppSession } from '../commands/signOut.ts';
import type { Deps } from '../deps.ts';
import { ensureSigningKey } from '../commands/signingKeys.ts';
import { buildProvider } from './provider.ts';
import { currentKeys } from './keys.ts';

const SYSTEM = { actor: { type: 'system' as const, id: 'system:oidc', label: null }, ip: null, correlationId: null };

export class OidcMount {
  private current: { provider: Provider; handle: ReturnType<Provider['callback']>; version: string } | undefined;
  private checkedAt = 0;
  private pendingBuild: Promise<Provider> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly log: Logger,
  ) {}

  /** The provider for this moment's keys. */
  async provider(): Promise<Provider> {
    if (this.current && Date.now() - this.checkedAt < this.deps.config.oidc.keysRefreshMs) return this.current.provider;
    this.pendingBuild ??= this.refresh().finally(() => (this.pendingBuild = undefined));
    return this.pendingBuild;
  }

  private async refresh(): Promise<Provider> {
    let { rows, version } = await currentKeys(this.deps.db, this.deps.config);
    if (!rows.some((k) => !k.retired_at)) {
      await ensureSigningKey(this.deps, SYSTEM);
      ({ version } = await currentKeys(this.deps.db, this.deps.config));
    }
    this.checkedAt = Date.now();
    if (this.current?.version === version) return this.current.provider;
    const provider = await buildProvider(this.deps, this.log);
    if (this.current) this.log.info('signing keys changed; the OpenID Provider now uses them');
    this.current = { provider, handle: provider.callback(), version };
    return provider;
  }

  /**
   * Ends this browser's session at the OpenID Provider when it is this person's (Passerelle's own
   * sign-out): the refresh tokens bound to it stop working, and the apps it signed in to are returned
   * with their session ids, to be told.
   */
  async endBrowserSession(req: Request, res: Response, userId: number): Promise<AppSession[]> {
    const provider = await this.provider();
    const session = await provider.Session.get({ req, res } as unknown as KoaContextWithOIDC);
    if (!session.accountId || session.accountId !== String(userId)) return [];
    const apps = Object.entries(session.authorizations ?? {}).flatMap(([clientId, a]) => (a.sid ? [{ clientId, sid: a.sid }] : []));
    await session.destroy();
    return apps;
  }

  readonly handler: RequestHandler = (req, res, next) => {
    this.provider().then(() => this.current!.handle(req, res), next);
  };
}
