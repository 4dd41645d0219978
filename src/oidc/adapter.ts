// oidc-provider's storage adapter on the product's database (SQLite or PostgreSQL), so that grants,
// sessions, codes and tokens survive restarts and every web process sees the same ones. Clients are
// not stored here: they are the catalog's applications (app_clients), read as oidc-provider asks.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { consumeOidc, destroyOidc, destroyOidcGrant, findOidc, findOidcBy, upsertOidc, type OidcRow } from '../db/oidcStore.ts';
import { appClientWithSecret } from './perRequest.ts';
import { openClientSecret } from './clientSecret.ts';

// What a grant's revocation takes with it (as oidc-provider's own adapters keep it). An Interaction
// names the grant an authorization under way may extend; when that grant is revoked (the person who
// held it signed out of the provider, say), the authorization goes on and must find its Interaction.
const ISSUED_UNDER_GRANT = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

function payloadOf(row: OidcRow | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  // oidc-provider tells a spent code or refresh token by `consumed`; a replay then revokes its grant.
  return row.consumed_at ? { ...payload, consumed: Math.floor(Date.parse(row.consumed_at) / 1000) } : payload;
}

/** The client metadata oidc-provider validates and uses, from an application's sign-in settings. */
export async function clientMetadata(db: Db, config: Config, clientId: string): Promise<AdapterPayload | undefined> {
  const c = await appClientWithSecret(db, clientId);
  if (!c) return undefined;
  return {
    client_id: c.client_id,
    ...(c.public_client || !c.secret_encrypted
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: openClientSecret(config, c.client_id, c.secret_encrypted), token_endpoint_auth_method: 'client_secret_basic' }),
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    ...(c.backchannel_logout_uri && { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true }),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    subject_type: 'pairwise',
  };
}

export function knexAdapter(db: Db, config: Config) {
  return class KnexAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered through the catalog, not dynamically');
      await upsertOidc(db, {
        type: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: ISSUED_UNDER_GRANT.has(this.model) ? (payload.grantId ?? null) : null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        accountId: payload.accountId ?? null,
        clientId: payload.clientId ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(db, config, id);
      return payloadOf(await findOidc(db, this.model, id));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await findOidcBy(db, this.model, 'user_code', userCode));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await findOidcBy(db, this.model, 'uid', uid));
    }

    async consume(id: string): Promise<void> {
      if (await consumeOidc(db, this.model, id)) return;
      // Another request spent it between oidc-provider's find and this update (a code replayed at the
      // same moment, on this process or another): a replay, answered as oidc-provider answers one
      // seen in time, with the grant revoked (what the winner was given dies with it) and invalid_grant.
      const grantId = payloadOf(await findOidc(db, this.model, id))?.grantId;
      if (grantId) await destroyOidcGrant(db, grantId);
      throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already consumed`);
    }

    async destroy(id: string): Promise<void> {
      await destroyOidc(db, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await destroyOidcGrant(db, grantId);
    }
  };
}
