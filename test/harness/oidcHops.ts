// The OpenID Connect dance one hop at a time, for tests that tamper with a hop: start a sign-in at
// the app, answer the IdP's login form, and stop at the IdP's redirect back to the app, returning
// that callback address without requesting it.
import assert from 'node:assert/strict';
import type { Browser, Page } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

const isRedirect = (p: Page) => [301, 302, 303, 307, 308].includes(p.status);
const locationOf = (p: Page) => new URL(String(p.headers.location), p.url);

/** GET /auth/<slug>: the app's redirect to the IdP, with the state, nonce and PKCE challenge it chose. */
export async function startSignIn(browser: Browser, appUrl: string, slug: string): Promise<URL> {
  const page = await browser.request('GET', `${appUrl}/auth/${slug}`);
  assert.equal(page.status, 302, `a redirect to the IdP, got ${page.status}: ${page.text.slice(0, 300)}`);
  return locationOf(page);
}

/** Answers the IdP's login form for `authUrl` and returns the callback URL the IdP sends the browser to. */
export async function callbackFrom(browser: Browser, authUrl: URL, email: string): Promise<URL> {
  const idp = authUrl.origin;
  let page = await browser.request('GET', authUrl.toString());
  for (let hop = 0; isRedirect(page) && hop < 10; hop++) page = await browser.request('GET', locationOf(page).toString());
  assert.equal(page.status, 200, `the IdP login page, got ${page.status} at ${page.url}: ${page.text.slice(0, 300)}`);
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(action, 'a login form');
  page = await browser.request('POST', new URL(action.replace(/&amp;/g, '&'), page.url).toString(), { email, password: DEMO_PASSWORD });
  for (let hop = 0; hop < 10; hop++) {
    assert.ok(isRedirect(page), `a redirect, got ${page.status} at ${page.url}: ${page.text.slice(0, 300)}`);
    const next = locationOf(page);
    if (next.origin !== idp) {
      assert.ok(next.searchParams.get('code'), `a code in ${next}`);
      return next;
    }
    page = await browser.request('GET', next.toString());
  }
  throw new Error('the IdP never redirected back to the app');
}

/** Starts a sign-in at the app and signs in at the IdP: the callback URL, not yet delivered. */
export async function untilCallback(browser: Browser, appUrl: string, slug: string, email: string): Promise<{ authUrl: URL; callback: URL }> {
  const authUrl = await startSignIn(browser, appUrl, slug);
  return { authUrl, callback: await callbackFrom(browser, authUrl, email) };
}

/** The same callback with some parameters replaced (or removed, when null). */
export function withParams(url: URL, params: Record<string, string | null>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v === null) u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  return u.toString();
}
