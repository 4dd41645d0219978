// Reading an identity provider's configuration: one function for sign-in and for the admin's
// "test connection", so what the admin is told is what sign-in will do.
import net from 'node:net';
import * as client from 'openid-client';
import type { Config } from '../config.ts';
import type { IdentityProvider } from '../db/rows.ts';
import { addressAllowed, hostOf, idpFetch } from './guardedFetch.ts';
import { IssuerMismatch, UnusableIssuer } from './idpFailure.ts';

/**
 * An issuer is scheme, host, optional port and path (OpenID Connect Discovery 2). A `?` or `#`
 * would let the issuer choose the whole discovery address (the rest becomes query or fragment),
 * and openid-client fetches an issuer containing `/.well-known/` as it stands.
 */
const badForm = (issuer: string) => /[?#]/.test(issuer) || issuer.includes('/.well-known/');

/** Why this issuer cannot be saved, as a message key; null when it can. */
export function issuerProblem(config: Config, issuer: string): string | null {
  if (badForm(issuer)) return 'validation.issuerForm';
  const url = new URL(issuer);
  if (url.protocol === 'http:' && !config.allowInsecureIdp) return 'validation.httpsRequired';
  // A numeric host is judged now; a name is judged when a connection is made (it may be re-pointed).
  const host = hostOf(url);
  if (net.isIP(host) && !addressAllowed(config.idpNetwork, host, host)) return 'validation.issuerPrivate';
  return null;
}

/** Where the configuration of this issuer is read (OIDC Discovery 4: appended to the issuer's path). */
export function discoveryUrl(issuer: string): string {
  const url = new URL(issuer);
  url.pathname = `${url.pathname}/.well-known/openid-configuration`.replace('//', '/');
  return url.href;
}

type IdpClient = Pick<IdentityProvider, 'issuer' | 'client_id' | 'client_secret'>;

/** Discovers the provider through the guarded fetch, and keeps that fetch for every later call to it. */
export async function discoverIdp(config: Config, idp: IdpClient): Promise<client.Configuration> {
  if (badForm(idp.issuer)) throw new UnusableIssuer();
  const fetch = idpFetch(config.idpNetwork) as client.CustomFetch;
  // Five seconds for every call to the IdP (discovery, token, userinfo, keys): a slow IdP gives a
  // clear page, not a hang. The custom fetch given here stays on the configuration for those calls.
  const options: client.DiscoveryRequestOptions = { timeout: 5, [client.customFetch]: fetch };
  if (config.allowInsecureIdp) options.execute = [client.allowInsecureRequests];
  // The IdP's clock is not ours: ID-token times (exp, nbf) get the documented leeway
  // (OIDC_CLOCK_TOLERANCE_SECONDS) instead of openid-client's default 30 seconds.
  const metadata: Partial<client.ClientMetadata> = { client_secret: idp.client_secret, [client.clockTolerance]: config.oidcClockToleranceSeconds };
  const configuration = await client.discovery(new URL(idp.issuer), idp.client_id, metadata, undefined, options);
  // openid-client compares the two as URLs (`https://a.example` equals `https://a.example/`);
  // OIDC Discovery 4.3 wants them identical, and ID tokens carry the discovered one in `iss`.
  if (configuration.serverMetadata().issuer !== idp.issuer) throw new IssuerMismatch();
  return configuration;
}
