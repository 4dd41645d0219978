// The README's pictures, taken by the browser as people see the product: the partner's My access (in
// English and in French), the sponsor's decision page and the admin home, at a laptop's width. They go
// to test-results/screenshots/readme-*.png on every run; `README_SCREENSHOTS=1` writes them to
// docs/screenshots/ instead, which is how the committed ones were made.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { buildAccessRequest, buildGuest } from '../harness/factories.ts';
import { heading, launchWatched, SHOTS, type Watched } from '../harness/chromium.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

const OUT = process.env.README_SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : SHOTS;

let stack: Stack;
let chrome: Watched;
let requestId = 0;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
  await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Partner Wiki', 'Project Atlas'] });
  requestId = await buildAccessRequest(stack, {
    requester: 'pete@acme.test',
    items: ['Partner Wiki', 'Quality Reviews'],
    justification: 'I join the Atlas gearbox team next week and need the shared specifications and the review board.',
  });
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

/** Through the IdP's link (staff) or the work e-mail (a partner), answering the demo IdP's form. */
async function signIn(page: Page, email: string, idpLink?: string): Promise<void> {
  await page.goto(`${stack.appUrl}/`);
  if (idpLink) {
    await page.getByRole('link', { name: idpLink }).click();
  } else {
    await page.locator('input[type=email]').first().fill(email);
    await page.locator('form[action="/auth/discover"] button[type=submit]').click();
  }
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

/** A viewport-sized picture (not the full page): small enough for a README. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  const size = fs.statSync(file).size;
  assert.ok(size > 5_000 && size < 400_000, `${name}.png is ${size} bytes`);
}

describe('the README screenshots', () => {
  test('the partner: My access, in English and in French', async () => {
    const { context, page } = await chrome.person();
    await page.setViewportSize({ width: 1100, height: 700 });
    await signIn(page, 'paula@acme.test');
    await page.goto(`${stack.appUrl}/access`);
    await heading(page, 'My access');
    await shoot(page, 'partner-access-en');
    await page.getByRole('button', { name: 'Français' }).click();
    await heading(page, /Mes accès/);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await shoot(page, 'partner-access-fr');
    await context.close();
  });

  test('the sponsor: a request to decide', async () => {
    const { context, page } = await chrome.person();
    await page.setViewportSize({ width: 1100, height: 760 });
    await signIn(page, 'sam.sponsor@passerelle.test', 'Sign in with Passerelle Corp');
    await page.goto(`${stack.appUrl}/inbox/${requestId}`);
    await page.getByRole('button', { name: /Approve/ }).waitFor();
    await shoot(page, 'sponsor-decision-en');
    await context.close();
  });

  test('the admin: the admin home', async () => {
    const { context, page } = await chrome.person();
    await page.setViewportSize({ width: 1100, height: 760 });
    await signIn(page, 'ada.admin@passerelle.test', 'Sign in with Passerelle Corp');
    await page.goto(`${stack.appUrl}/admin`);
    await heading(page, 'Administration');
    await shoot(page, 'admin-home-en');
    chrome.assertNoProblems('README screenshots');
    await context.close();
  });
});
