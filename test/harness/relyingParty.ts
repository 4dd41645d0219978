// An application that signs people in through Passerelle, written as any team would with
// openid-client: discovery, PKCE, state and nonce, the code exchange, userinfo and refresh. Its
// browser hops are a test Browser's; it stops where the browser would reach the app's callback.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Browser, Page } from './browser.ts';

export interface RelyingParty {
  config: oidc.Configuration;
  clientId: string;
  redirectUri: string;
  /** Starts a sign-in: the authorization URL and what the app keeps to check the answer. */
  start(extra?: Record<string, string>): Promise<{ url: URL; verifier: string; state: string; nonce: string }>;
  /** Follows the browser from `url` until Passerelle sends it to the callback, or a page stops it. */
  browse(browser: Browser, url: string | URL): Promise<{ callback: URL } | { page: Page }>;
  /** The whole sign-in for a browser already signed in to Passerelle (consent given if asked). */
  signIn(browser: Browser, extra?: Record<string, string>): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
  exchange(callback: URL, checks: { verifier: string; state: string; nonce: string }): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

export async function relyingParty(
  appUrl: string,
  client: { clientId: string; secret: string | null },
  redirectUri = 'http://127.0.0.1:9/callback',
): Promise<RelyingParty> {
  const config = await oidc.discovery(
    new URL(`${appUrl}/oidc`),
    client.clientId,
    undefined,
    client.secret ? oidc.ClientSecretBasic(client.secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  const rp: RelyingParty = {
    config,
    clientId: client.clientId,
    redirectUri,
    async start(extra = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile groups',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      return { url, verifier, state, nonce };
    },
    async browse(browser, url) {
      let page = await browser.request('GET', url.toString());
      for (let hop = 0; hop < 15; hop++) {
        const refresh = /^0\s*;\s*url=(.+)$/i.exec(String(page.headers.refresh ?? ''))?.[1];
        const location = [301, 302, 303, 307].includes(page.status) ? String(page.headers.location) : refresh;
        if (!location) return { page };
        const next = new URL(location, page.url);
        if (next.toString().startsWith(redirectUri)) return { callback: next };
        page = await browser.request('GET', next.toString());
      }
      throw new Error(`too many hops from ${url}`);
    },
    async exchange(callback, checks) {
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce });
    },
    async signIn(browser, extra = {}) {
      const checks = await rp.start(extra);
      let step = await rp.browse(browser, checks.url);
      if ('page' in step && /\/app-sign-in\/[^/]+$/.test(new URL(step.page.url).pathname) && /name="decision"/.test(step.page.text)) {
        const csrf = /name="_csrf" value="([^"]+)"/.exec(step.page.text)?.[1] ?? '';
        const answer = await browser.request('POST', `${step.page.url}/consent`, { _csrf: csrf, decision: 'allow' });
        const refresh = /^0\s*;\s*url=(.+)$/i.exec(String(answer.headers.refresh ?? ''))?.[1];
        assert.ok(refresh, `the consent answer moves on: ${answer.status} ${answer.text.slice(0, 300)}`);
        step = await rp.browse(browser, new URL(refresh, answer.url));
      }
      assert.ok('callback' in step, `reached the app's callback, got ${'page' in step ? `${step.page.status} at ${step.page.url}: ${step.page.text.slice(0, 400)}` : ''}`);
      return rp.exchange(step.callback, checks);
    },
  };
  return rp;
}
