// Layout as a newcomer saw it in Chromium at a laptop's width (1280×800) and a phone's (390×844):
// no page scrolls sideways, the admin's header (the longest menu) keeps its menu and sign-out on one
// row at 1280 px, and on the audit log only "Audit log" is the current page. Screenshots go to
// test-results/screenshots/layout-*.png. Console errors and CSP violations fail the test.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { buildGuest } from '../harness/factories.ts';
import { clearShots, heading, launchWatched, screenshot, type Watched } from '../harness/chromium.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;

before(async () => {
  clearShots(/^layout-.*\.png$/);
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** From the start page: by the work e-mail (a partner) or by the IdP's link named `idpLink` (staff). */
async function signIn(page: Page, email: string, idpLink?: string): Promise<void> {
  await page.goto(`${stack.appUrl}/`);
  await heading(page, 'Access for partners');
  if (idpLink) {
    await page.getByRole('link', { name: idpLink }).click();
  } else {
    await page.getByLabel('Work e-mail address').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

/** How far the page is wider than the window (0 when nothing scrolls sideways), with what sticks out. */
async function overflow(page: Page): Promise<{ excess: number; widest: string[] }> {
  return page.evaluate(() => {
    const excess = document.documentElement.scrollWidth - window.innerWidth;
    const widest = excess <= 0 ? [] : Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(-3)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).replace(/\s+/g, '.') : ''} (right ${Math.round(el.getBoundingClientRect().right)}: "${(el.textContent ?? '').trim().slice(0, 60)}")`);
    return { excess, widest };
  });
}

/** Visits each path at both widths and checks that none scrolls sideways. */
async function assertNoSidewaysScroll(page: Page, who: string, paths: string[]): Promise<void> {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const p of paths) {
      const res = await page.goto(`${stack.appUrl}${p}`);
      assert.equal(res?.status(), 200, `${p} as ${who}`);
      await screenshot(page, `layout-${who}-${viewport.width}-${p.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}`);
      const { excess, widest } = await overflow(page);
      assert.ok(excess <= 0, `${p} as ${who} at ${viewport.width} px is ${excess} px wider than the window: ${widest.join(', ')}`);
    }
  }
}

describe('in a browser: pages fit a laptop and a phone', () => {
  beforeEach(() => {
    chrome.problems.length = 0;
  });

  test('the start page and the API reference, signed out, never scroll sideways', async () => {
    const { page } = await chrome.person();
    await assertNoSidewaysScroll(page, 'visitor', ['/', '/docs/api']);
    chrome.assertNoProblems('visitor pages');
  });

  test('a guest’s My access never scrolls sideways', async () => {
    await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Partner Wiki', 'Project Atlas'] });
    const { page } = await chrome.person();
    await signIn(page, 'paula@acme.test');
    await assertNoSidewaysScroll(page, 'guest', ['/access']);
    chrome.assertNoProblems('guest pages');
  });

  test('the admin’s pages never scroll sideways; the header keeps one row at 1280 px; only "Audit log" is current on the audit log', async () => {
    const { page } = await chrome.person();
    await signIn(page, 'ada.admin@passerelle.test', 'Sign in with Passerelle Corp');
    await assertNoSidewaysScroll(page, 'admin', ['/admin', '/admin/audit', '/docs/api', '/']);

    await page.setViewportSize(VIEWPORTS[0]);
    await page.goto(`${stack.appUrl}/admin/audit`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
    const [navBox, signOutBox, brandBox] = await Promise.all([nav.boundingBox(), signOut.boundingBox(), page.getByRole('banner').getByRole('link', { name: /Passerelle/ }).first().boundingBox()]);
    assert.ok(navBox && signOutBox && brandBox);
    const middle = (b: { y: number; height: number }) => b.y + b.height / 2;
    assert.ok(Math.abs(middle(navBox) - middle(signOutBox)) <= 4, `menu (y ${navBox.y}, h ${navBox.height}) and sign-out (y ${signOutBox.y}, h ${signOutBox.height}) on one row`);
    assert.ok(Math.abs(middle(navBox) - middle(brandBox)) <= 4, `menu and brand (y ${brandBox.y}, h ${brandBox.height}) on one row`);
    assert.ok(navBox.y >= 4, `the menu keeps off the top edge (y ${navBox.y})`);

    const current = await page.getByRole('banner').locator('a[aria-current]').allInnerTexts();
    assert.deepEqual(current.map((s) => s.trim()), ['Audit log']);
    await page.goto(`${stack.appUrl}/admin`);
    assert.deepEqual((await page.getByRole('banner').locator('a[aria-current]').allInnerTexts()).map((s) => s.trim()), ['Administration']);

    // On a phone the header may wrap, but "Sign out" stays one line.
    await page.setViewportSize(VIEWPORTS[1]);
    await page.goto(`${stack.appUrl}/admin/audit`);
    const phoneBox = await signOut.boundingBox();
    const lineHeight = await signOut.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    assert.ok(phoneBox && phoneBox.height < lineHeight * 1.5, `"Sign out" on one line at 390 px (height ${phoneBox?.height}, line ${lineHeight})`);
    assert.ok(phoneBox.x + phoneBox.width <= 390, '"Sign out" inside the window');
    chrome.assertNoProblems('admin pages');
  });
});
