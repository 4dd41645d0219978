// Reflow (WCAG 1.4.10) in Chromium: each main page at 320 CSS px wide scrolls only up and down. A data
// table may scroll sideways, but only inside a scroller a keyboard can reach and a screen reader names
// (tabindex="0", role="region", aria-label or aria-labelledby). axe-core checks every page on the way
// (test/harness/chromium.ts); home-realm discovery's "Continuing to…" page, which moves on by itself
// at once, is held still here and checked on its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { buildAccessRequest, buildGuest } from '../harness/factories.ts';
import { heading, launchWatched, type Watched } from '../harness/chromium.ts';
import { axeCheck, describeViolations } from '../harness/axe.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;
let requestId = 0;
let guestId = 0;

const PHONE = { width: 320, height: 640 };

before(async () => {
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
  guestId = await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Partner Wiki'] });
  requestId = await buildAccessRequest(stack, { requester: 'paula@acme.test', items: ['Project Atlas'], approvers: ['sam.sponsor@passerelle.test'] });
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

// A string, not a function: tsx's helpers (__name) do not exist in the page.
const FAULTS = `(() => {
  const describe = function (el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''); };
  const scrollWidth = document.documentElement.scrollWidth;
  const all = Array.from(document.querySelectorAll('body *'));
  const widest = scrollWidth <= window.innerWidth ? [] : all
    .filter(function (el) { return el.getBoundingClientRect().right > window.innerWidth + 1; })
    .slice(-4)
    .map(function (el) { return describe(el) + ' (right ' + Math.round(el.getBoundingClientRect().right) + ': "' + (el.textContent || '').trim().slice(0, 40) + '")'; });
  const badScrollers = all
    .filter(function (el) { const s = getComputedStyle(el); return (s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1; })
    .filter(function (el) { return !(el.getAttribute('tabindex') === '0' && el.getAttribute('role') === 'region' && (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))); })
    .map(describe);
  return { scrollWidth: scrollWidth, widest: widest, badScrollers: badScrollers };
})()`;

/** What makes the page wider than the window, and any sideways scroller that is not a named, focusable region. */
async function reflowFaults(page: Page): Promise<{ scrollWidth: number; widest: string[]; badScrollers: string[] }> {
  return page.evaluate(FAULTS) as Promise<{ scrollWidth: number; widest: string[]; badScrollers: string[] }>;
}

async function assertReflows(page: Page, path: string, who: string): Promise<void> {
  const res = await page.goto(`${stack.appUrl}${path}`);
  assert.equal(res?.status(), 200, `${path} as ${who}`);
  await assertReflowsHere(page, `${path} as ${who}`);
}

async function assertReflowsHere(page: Page, where: string): Promise<void> {
  const { scrollWidth, widest, badScrollers } = await reflowFaults(page);
  assert.ok(scrollWidth <= PHONE.width, `${where} at 320 px is ${scrollWidth} px wide: ${widest.join(', ')}`);
  assert.deepEqual(badScrollers, [], `${where}: what scrolls sideways is a focusable, named region`);
}

async function person(): Promise<Page> {
  const { page } = await chrome.person();
  await page.setViewportSize(PHONE);
  return page;
}

/** Staff sign in with the IdP's link on the start page; the IdP's form is checked for reflow too. */
async function signInAsStaff(page: Page, email: string): Promise<void> {
  await page.goto(`${stack.appUrl}/`);
  await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
  await heading(page, 'Sign in');
  await assertReflowsHere(page, 'the staff IdP’s sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

describe('in a browser at 320 px: pages reflow, data tables scroll only in a focusable region', () => {
  test('a partner: start page, "Continuing to…", her IdP’s sign-in, new request, requests, a request, access', async () => {
    const page = await person();
    await assertReflows(page, '/', 'a visitor');

    // "Continuing to Acme Industries" moves on at once (Refresh: 0); held still, it is checked here.
    await page.route(/\/auth\/acme(\?|$)/, (route) => route.abort('aborted'));
    await page.getByLabel('Work e-mail address').fill('paula@acme.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Continuing to Acme Industries');
    await page.waitForTimeout(300); // the Refresh has been tried and cancelled
    await assertReflowsHere(page, 'Continuing to Acme Industries');
    const found = await axeCheck(page);
    assert.deepEqual(found, [], `axe on "Continuing to…":\n${describeViolations(found ?? [])}`);
    await page.unroute(/\/auth\/acme(\?|$)/);

    await page.keyboard.press('Tab'); // its link, for a browser that does not follow Refresh
    await page.getByRole('link', { name: /Continue to Acme Industries|Acme Industries/ }).last().click();
    await heading(page, 'Sign in');
    await assertReflowsHere(page, 'the partner IdP’s sign-in');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));

    for (const path of ['/requests/new', '/requests', `/requests/${requestId}`, '/access', '/docs/api']) await assertReflows(page, path, 'Paula');
    chrome.assertNoProblems('the partner’s pages at 320 px');
  });

  test('a sponsor: inbox and a request', async () => {
    const page = await person();
    await signInAsStaff(page, 'sam.sponsor@passerelle.test');
    for (const path of ['/inbox', `/inbox/${requestId}`]) await assertReflows(page, path, 'Sam');
    chrome.assertNoProblems('the sponsor’s pages at 320 px');
  });

  test('an admin: home, guests, a guest, catalog (list, an item, its sign-in, a new one), organizations, identity providers, settings, audit log, queues, invitations, API clients, mail templates, branding, owned items', async () => {
    const page = await person();
    await signInAsStaff(page, 'ada.admin@passerelle.test');
    const paths = ['/admin', '/admin/guests', `/admin/guests/${guestId}`, '/admin/catalog', '/admin/organizations', '/admin/idps', '/admin/settings', '/admin/audit', '/admin/queues', '/invitations', '/admin/api-clients', '/admin/mail-templates', '/admin/branding', '/owner',
      '/admin/catalog/new', '/admin/catalog/1', '/admin/catalog/1/sign-in', '/admin/organizations/new', '/admin/idps/new'];
    for (const path of paths) await assertReflows(page, path, 'Ada');
    chrome.assertNoProblems('the admin’s pages at 320 px');
  });
});
