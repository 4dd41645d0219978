// The main journey in a real browser: a partner asks, a sponsor approves, the partner redeems the
// invitation, an admin reads the audit log. Only clicks and typing on the real pages, one browser
// context per person; a full-page screenshot of every page a person sees goes to
// test-results/screenshots/. Console errors, CSP violations and uncaught page errors fail the test.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { redeemLink } from '../harness/browser.ts';
import { clearShots, heading, launchWatched, mainText, screenshot, type Watched } from '../harness/chromium.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;
let shotNumber = 0;

before(async () => {
  clearShots(/^\d{2}-.*\.png$/);
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

const person = () => chrome.person();
const assertNoProblems = (where: string) => chrome.assertNoProblems(where);

/** Saves a full-page screenshot of what the person sees now, as NN-name.png. */
async function shot(page: Page, name: string): Promise<void> {
  shotNumber += 1;
  await screenshot(page, `${String(shotNumber).padStart(2, '0')}-${name}`);
}

/** Answers the demo IdP's sign-in form (the person is already on it). */
async function signInAtIdp(page: Page, org: string, email: string): Promise<void> {
  await heading(page, 'Sign in');
  assert.match(await page.locator('body').innerText(), new RegExp(org, 'i'));
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await shot(page, `idp-${email.split('@')[0]!.replace(/\W/g, '-')}`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

describe('in a browser: a partner asks, a sponsor approves, the partner redeems, an admin audits', () => {
  beforeEach(() => {
    chrome.problems.length = 0; // each step is judged on its own pages
  });
  let partner: { context: BrowserContext; page: Page };
  let requestId = 0;

  test('the partner signs in with their work e-mail and asks for two items', async () => {
    partner = await person();
    const { page } = partner;
    await page.goto(`${stack.appUrl}/`);
    await heading(page, 'Access for partners');
    assert.ok(await page.getByRole('link', { name: 'Sign in with Acme Industries' }).isVisible());
    assert.ok(await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).isVisible());
    await page.getByLabel('Work e-mail address').fill('paula@acme.test');
    await shot(page, 'home');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.acme!.issuer));
    await heading(page, 'Sign in');
    assert.equal(await page.getByLabel('E-mail address').inputValue(), 'paula@acme.test', 'the IdP form is prefilled from the e-mail typed');
    await signInAtIdp(page, 'Acme Industries', 'paula@acme.test');

    await heading(page, 'My requests');
    assert.match(await page.locator('header').innerText(), /Signed in as Paula Partner \(paula@acme\.test\)/);
    assert.match(await mainText(page), /You have not asked for access yet/);
    await shot(page, 'partner-requests-empty');
    await page.getByRole('link', { name: 'Request access' }).click();

    await heading(page, 'Request access');
    await page.getByRole('checkbox', { name: /Partner Wiki/ }).check();
    await page.getByRole('checkbox', { name: /Project Atlas/ }).check();
    await page.getByLabel('Why do you need this access?').fill('We co-develop the Atlas gearbox and need the shared specifications.');
    await shot(page, 'partner-request-form');
    await page.getByRole('button', { name: 'Submit request' }).click();

    await heading(page, /^Request #\d+$/);
    const title = await page.getByRole('heading', { level: 1 }).innerText();
    requestId = Number(/#(\d+)/.exec(title)![1]);
    assert.ok(requestId > 0, title);
    const text = await mainText(page);
    assert.match(text, /Your request was submitted/);
    assert.match(text, /Waiting for a sponsor/);
    assert.match(text, /Partner Wiki/);
    assert.match(text, /Project Atlas/);
    assert.match(text, /co-develop the Atlas gearbox/);
    assert.match(text, /Request submitted/);
    await shot(page, 'partner-request-submitted');
    assertNoProblems('partner submitting');
  });

  test('the sponsor follows the mailed link, signs in, reads the request and approves it', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`#${requestId}`));
    const link = /(https?:\/\/\S+\/inbox\/\d+)/.exec(mail.text)?.[1];
    assert.ok(link, `an inbox link in the mail: ${mail.text}`);

    const { page } = await person();
    await page.goto(link);
    // Not signed in: the portal sends the sponsor to the start page to sign in.
    await heading(page, 'Access for partners');
    assert.equal(new URL(page.url()).pathname, '/');
    await shot(page, 'sponsor-sent-to-sign-in');
    await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await signInAtIdp(page, 'Passerelle Corp', 'sam.sponsor@passerelle.test');

    // Back where the mail pointed.
    await heading(page, `Request #${requestId} from Paula Partner`);
    assert.equal(new URL(page.url()).pathname, `/inbox/${requestId}`);
    await shot(page, 'sponsor-request-from-mail');

    // The inbox lists it too; open it from there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await heading(page, 'Requests to decide');
    const row = page.getByRole('row', { name: new RegExp(`Request #${requestId}\\b`) });
    assert.match(await row.innerText(), /Paula Partner/);
    assert.match(await row.innerText(), /Acme Industries/);
    await shot(page, 'sponsor-inbox');
    await row.getByRole('link', { name: `Request #${requestId}` }).click();

    await heading(page, `Request #${requestId} from Paula Partner`);
    const facts = await mainText(page);
    assert.match(facts, /Paula Partner/);
    assert.match(facts, /paula@acme\.test/);
    assert.match(facts, /Organization\s+Acme Industries/);
    assert.match(facts, /We co-develop the Atlas gearbox and need the shared specifications\./);
    assert.match(facts, /Partner Wiki/);
    assert.match(facts, /Project Atlas/);
    assert.match(facts, /Waiting for a sponsor/);
    await shot(page, 'sponsor-request');
    await page.getByRole('button', { name: 'Approve' }).click();

    await heading(page, 'Requests to decide');
    assert.match(await page.getByRole('status').innerText(), new RegExp(`Request #${requestId} approved`));
    await shot(page, 'sponsor-approved');
    await page.context().close();
    assertNoProblems('sponsor deciding');
  });

  test('the partner opens the invitation, reviews and accepts it, and sees their access', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    const { page } = partner;
    await page.goto(redeemLink(mail.text));
    await heading(page, 'You are invited');
    assert.match(await mainText(page), /Sam Sponsor invited paula@acme\.test/);
    await shot(page, 'partner-invited');
    const review = page.getByRole('link', { name: 'Review permissions' });
    if (await review.isVisible()) {
      await review.click();
    } else {
      await page.getByRole('link', { name: 'Continue with Acme Industries' }).click();
      await signInAtIdp(page, 'Acme Industries', 'paula@acme.test');
    }

    await heading(page, 'Review permissions');
    const items = await mainText(page);
    assert.match(items, /paula@acme\.test/);
    assert.match(items, /Partner Wiki/);
    assert.match(items, /Project Atlas/);
    await shot(page, 'partner-review');
    await page.getByRole('button', { name: 'Accept invitation' }).click();

    await heading(page, 'My access');
    assert.match(await page.getByRole('status').innerText(), /Your access is ready/);
    const open = page.getByRole('link', { name: 'Open Partner Wiki' });
    assert.ok(await open.isVisible(), 'an "Open Partner Wiki" link');
    assert.equal(await open.getAttribute('href'), 'https://wiki.passerelle.test/');
    await page.getByRole('heading', { level: 2, name: 'Groups' }).waitFor();
    assert.match(await mainText(page), /Project Atlas/);
    await shot(page, 'partner-access');

    // The request shows the whole story to the partner.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    await heading(page, 'My requests');
    await page.getByRole('link', { name: `Request #${requestId}` }).click();
    await heading(page, `Request #${requestId}`);
    const history = await mainText(page);
    assert.match(history, /Accepted: your access is ready/);
    assert.match(history, /Sent to sponsors for a decision/);
    assert.match(history, /Access set up and invitation sent/);
    assert.match(history, /Invitation accepted/);
    await shot(page, 'partner-request-done');
    await partner.context.close();
    assertNoProblems('partner redeeming');
  });

  test('an admin signs in and finds the request’s steps in the audit log', async () => {
    const { page, context } = await person();
    await page.goto(`${stack.appUrl}/`);
    await heading(page, 'Access for partners');
    await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
    await signInAtIdp(page, 'Passerelle Corp', 'ada.admin@passerelle.test');

    // Admins land on the admin home, not the inbox (issue 17).
    await heading(page, 'Administration');
    await shot(page, 'admin-home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await heading(page, 'Audit log');
    await page.getByLabel(/On what/).fill(`request:${requestId}`);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('target') === `request:${requestId}`);
    await heading(page, 'Audit log');

    // One sentence per event, newest first; the action names are in each event's folded details.
    const actions = await page.locator('ol.audit-events .audit-meta code').allTextContents();
    assert.deepEqual(actions, ['request.accepted', 'request.provisioned', 'request.approved', 'request.routed', 'request.submitted']);
    const sentences = (await page.locator('ol.audit-events .audit-sentence').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.match(sentences[2]!, new RegExp(`^Sam Sponsor approved Paula Partner’s request #${requestId} for Partner Wiki`), sentences.join(' | '));
    assert.match(sentences[4]!, new RegExp(`^Paula Partner asked for access to .*Partner Wiki.* \\(request #${requestId}\\)`), sentences.join(' | '));
    // The person and the request are links to their pages.
    await page.locator('ol.audit-events li').nth(2).getByRole('link', { name: `request #${requestId}` }).click();
    await page.waitForURL((u) => u.pathname === `/inbox/${requestId}`);
    await page.goBack();
    await shot(page, 'admin-audit');
    await context.close();
    assertNoProblems('admin auditing');
  });
});
