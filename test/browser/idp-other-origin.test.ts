// Home-realm discovery in a real browser for an identity provider added while the start page was
// already open, whose sign-in page lives on another origin than its issuer (issue 14). Browsers
// apply the CSP form-action of the page a form came from to every redirect after the submit, so the
// e-mail form must reach any authorization endpoint the moment the IdP is saved.
// The IdP is a real oidc-provider issuer on 127.0.0.1; its authorization endpoint, as its discovery
// document states it, is a reverse proxy on 127.0.0.2 (another origin, and another cookie jar).
// Screenshots go to test-results/screenshots/idp-origin-NN-*.png. Console errors, CSP violations and
// uncaught page errors fail the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { clearShots, heading, launchWatched, screenshot, type Watched } from '../harness/chromium.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;
let vandelay: RunningIssuer;
let front: http.Server;
let frontOrigin = '';
let shotNumber = 0;

/** A reverse proxy on 127.0.0.2 to the issuer; the Host header goes through, so the IdP's own links stay on this origin. */
async function startFront(issuerPort: number): Promise<string> {
  front = http.createServer((req, res) => {
    const upstream = http.request({ host: '127.0.0.1', port: issuerPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.2', r));
  return `http://127.0.0.2:${(front.address() as { port: number }).port}`;
}

/** The issuer's discovery document names the front as its authorization endpoint (and nothing else changes). */
function moveAuthorizationEndpoint(issuer: RunningIssuer, to: string): void {
  type Context = { ctx: { path: string }; urlFor(name: string, opt?: unknown): string };
  const proto = (issuer.provider as unknown as { OIDCContext: { prototype: Context } }).OIDCContext.prototype;
  const urlFor = proto.urlFor;
  proto.urlFor = function (this: Context, name, opt) {
    if (name === 'authorization' && this.ctx.path === '/.well-known/openid-configuration') return `${to}/auth`;
    return urlFor.call(this, name, opt);
  };
}

before(async () => {
  clearShots(/^idp-origin-\d+-.*\.png$/);
  stack = await startStack();
  vandelay = await startDemoIssuer({
    key: 'vandelay',
    displayName: 'Vandelay Industries',
    accounts: [{ sub: 'vandelay-vera', email: 'vera@vandelay.test', name: 'Vera Vandelay', emailVerified: true, password: DEMO_PASSWORD }],
    clients: [{ clientId: 'passerelle-vandelay', clientSecret: 'vandelay-secret-0123456789', redirectUris: [`${stack.appUrl}/auth/vandelay/callback`] }],
  });
  frontOrigin = await startFront(vandelay.port);
  moveAuthorizationEndpoint(vandelay, frontOrigin);
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
  // A start that hangs fails here, named, instead of silently using up the whole file's time.
}, { timeout: 120_000 });

after(async () => {
  await chrome?.close();
  front?.closeAllConnections();
  front?.close();
  await vandelay?.close();
  await stack?.stop();
}, { timeout: 60_000 });

async function shot(page: Page, name: string): Promise<void> {
  shotNumber += 1;
  await screenshot(page, `idp-origin-${String(shotNumber).padStart(2, '0')}-${name}`);
}

describe('in a browser: an IdP added while the start page is open, its sign-in page on another origin', () => {
  test('the partner types her e-mail into the page opened before the IdP existed and signs in at once', { timeout: 120_000 }, async () => {
    const discovery = (await (await fetch(`${vandelay.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, string>;
    assert.equal(new URL(discovery.authorization_endpoint!).origin, frontOrigin);
    assert.notEqual(frontOrigin, new URL(vandelay.issuer).origin);

    // The partner opens the start page first.
    const partner = await chrome.person();
    await partner.page.goto(`${stack.appUrl}/`);
    await heading(partner.page, 'Access for partners');
    await shot(partner.page, 'home-before-the-idp');

    // Meanwhile an admin adds her organization's IdP in the console.
    const admin = await chrome.person();
    const { page } = admin;
    await page.goto(`${stack.appUrl}/`);
    await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await page.getByLabel('E-mail address').fill('ada.admin@passerelle.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
    await page.goto(`${stack.appUrl}/admin/idps/new`);
    await heading(page, 'Add an identity provider');
    await page.getByLabel('Display name').fill('Vandelay Industries');
    await page.getByLabel('Short name').fill('vandelay');
    await page.getByLabel('Kind').selectOption('partner');
    await page.getByLabel('Issuer URL').fill(vandelay.issuer);
    await page.getByLabel('Client id').fill('passerelle-vandelay');
    await page.getByLabel('Client secret').fill('vandelay-secret-0123456789');
    await page.getByLabel('E-mail domains it serves').fill('vandelay.test');
    await shot(page, 'admin-adds-the-idp');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await shot(page, 'admin-saved');

    // Straight away, in the page that was open all along.
    const { page: p } = partner;
    await p.getByLabel('Work e-mail address').fill('vera@vandelay.test');
    await p.getByRole('button', { name: 'Continue' }).click();
    await p.waitForURL((u) => u.toString().startsWith(frontOrigin));
    await heading(p, 'Sign in');
    assert.match(await p.locator('body').innerText(), /Vandelay Industries/i);
    assert.equal(await p.getByLabel('E-mail address').inputValue(), 'vera@vandelay.test', 'the IdP form is prefilled from the e-mail typed');
    await shot(p, 'idp-sign-in-on-the-other-origin');
    await p.getByLabel('Password').fill(DEMO_PASSWORD);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
    assert.match(await p.locator('header').innerText(), /Signed in as Vera Vandelay \(vera@vandelay\.test\)/);
    await shot(p, 'signed-in');
    chrome.assertNoProblems('home-realm discovery to an IdP on another origin');
  });
});
