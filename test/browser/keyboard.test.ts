// The journey with the keyboard alone, as someone who cannot use a mouse: Tab, Shift+Tab, Enter, Space
// and typing, no clicks, and no address typed after the first page. The first Tab reaches a visible
// "Skip to content" that moves focus to the page's main part; every element Tab reaches shows that it
// has focus; a mistyped e-mail opens on a summary that is announced and links to the field, which says
// it is wrong and which message describes it. A partner signs in through her IdP, asks for access and
// sees her request; a sponsor signs in and approves it. axe-core checks every page on the way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { heading, launchWatched, type Watched } from '../harness/chromium.ts';
import { axeCheck, untilChecked } from '../harness/axe.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;

before(async () => {
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

interface Focused {
  tag: string;
  id: string;
  text: string;
  type: string;
  label: string;
  /** How the element shows focus: its outline and box shadow as computed. */
  outline: string;
  shadow: string;
  visible: boolean;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', id: '', text: '', type: '', label: '', outline: 'none', shadow: 'none', visible: false };
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const labels = (el as HTMLInputElement).labels;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.innerText || (el as HTMLInputElement).value || '').trim().replace(/\s+/g, ' '),
      type: el.getAttribute('type') ?? '',
      label: labels && labels.length ? (labels[0]!.innerText || '').trim().replace(/\s+/g, ' ') : el.getAttribute('aria-label') ?? '',
      outline: style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0 ? 'none' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      shadow: style.boxShadow,
      visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 && box.left < window.innerWidth,
    };
  });
}

/** The element focus is on shows it: an outline or a box shadow, inside the window. */
function assertFocusVisible(f: Focused, where: string): void {
  assert.ok(f.visible, `${where}: the focused ${f.tag} "${f.text || f.label}" is on screen`);
  assert.ok(f.outline !== 'none' || (f.shadow && f.shadow !== 'none'), `${where}: the focused ${f.tag} "${f.text || f.label}" shows focus (outline ${f.outline}, shadow ${f.shadow})`);
}

/** Presses Tab (or Shift+Tab) until the focused element matches, checking each stop shows its focus. */
async function tabTo(page: Page, wanted: (f: Focused) => boolean, what: string, { back = false, max = 40 } = {}): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (f.tag !== 'body') assertFocusVisible(f, `tabbing to ${what} on ${new URL(page.url()).pathname}`);
    if (wanted(f)) return f;
  }
  throw new Error(`${what} not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'} on ${page.url()}`);
}

const byText = (text: string | RegExp) => (f: Focused) => (typeof text === 'string' ? f.text === text : text.test(f.text));
const byLabel = (label: string | RegExp) => (f: Focused) => (typeof label === 'string' ? f.label === label : label.test(f.label));

/** At the IdP's sign-in form: the e-mail (typed unless prefilled), the password, Enter. */
async function signInAtIdp(page: Page, email: string): Promise<void> {
  await heading(page, 'Sign in');
  const field = await tabTo(page, byLabel('E-mail address'), 'the e-mail field');
  if (field.text !== email) {
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(email);
  }
  await tabTo(page, byLabel('Password'), 'the password field');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

describe('in a browser, with the keyboard only', () => {
  let requestId = 0;

  test('axe-core runs in our pages under their own Content-Security-Policy, and catches a fault', async () => {
    const { page } = await chrome.person();
    const res = await page.goto(`${stack.appUrl}/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the page is served with its CSP');
    await untilChecked(page); // the harness's own check of this load, first
    assert.ok(chrome.checked.includes(`${stack.appUrl}/`), 'the harness checked the start page');
    assert.deepEqual(await axeCheck(page), [], 'the start page passes');
    // A fault put in the page, to show the check is live: an image without a text alternative.
    await page.evaluate(() => document.querySelector('main')!.append(Object.assign(document.createElement('img'), { src: '/static/favicon.svg' })));
    const found = await axeCheck(page);
    assert.deepEqual(found?.map((v) => v.rule), ['image-alt']);
    await page.close();
  });

  test('a partner skips to the content, corrects a mistyped e-mail from the error summary, signs in, asks for access and sees her request', async () => {
    const { page } = await chrome.person();
    await page.goto(`${stack.appUrl}/`);
    await heading(page, 'Access for partners');

    // The first Tab: "Skip to content", visible; Enter moves focus to main.
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    assert.equal(skip.text, 'Skip to content');
    assertFocusVisible(skip, 'the skip link');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'the skip link moves focus to main');

    // A mistyped e-mail: an error summary, announced and focused, links to the field.
    await tabTo(page, byLabel('Work e-mail address'), 'the work e-mail field');
    await page.keyboard.type('paula-at-acme');
    await page.keyboard.press('Enter');
    await heading(page, 'Access for partners');
    const summary = page.locator('#error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert', 'the summary is announced');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus starts on the summary');
    assert.match(await summary.innerText(), /There is a problem with one field/);
    const link = summary.getByRole('link', { name: 'Enter your work e-mail address in the form name@company.com.' });
    assert.equal(await link.getAttribute('href'), '#email');
    const email = page.locator('#email');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const describedBy = (await email.getAttribute('aria-describedby'))!.split(' ');
    assert.ok(describedBy.includes('email-error'), `aria-describedby names the message: ${describedBy.join(' ')}`);
    assert.match(await page.locator('#email-error').innerText(), /Error:\s*Enter your work e-mail address in the form name@company\.com\./);
    const errorColour = await page.locator('#email-error').evaluate((el) => getComputedStyle(el).color);
    const noticeColour = await summary.evaluate((el) => getComputedStyle(el).borderTopColor);
    assert.equal(errorColour, 'rgb(180, 35, 24)', 'the message is in the error colour');
    assert.equal(noticeColour, 'rgb(180, 35, 24)', 'the summary is framed in the error colour, unlike a notice');

    await tabTo(page, byText('Enter your work e-mail address in the form name@company.com.'), 'the summary’s link');
    await page.keyboard.press('Enter');
    const field = await focused(page);
    assert.equal(field.id, 'email', 'the summary’s link takes focus to the field');
    assertFocusVisible(field, 'the e-mail field');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('paula@acme.test');
    await page.keyboard.press('Enter');

    // The IdP (reached through "Continuing to…"), then back signed in.
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.acme!.issuer));
    await signInAtIdp(page, 'paula@acme.test');
    await heading(page, 'My requests');

    await tabTo(page, byText('Request access'), 'the "Request access" link');
    await page.keyboard.press('Enter');
    await heading(page, 'Request access');
    // Sent empty: the summary names both problems, each a link to its field (the items' group, the text).
    await tabTo(page, byText('Submit request'), 'the submit button');
    await page.keyboard.press('Enter');
    await heading(page, 'Request access');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
    const problems = page.locator('#error-summary a');
    assert.deepEqual(await problems.evaluateAll((links) => links.map((a) => `${a.getAttribute('href')} ${(a as HTMLElement).innerText}`)), [
      '#items Choose one or more items from the list.',
      '#justification Write between 10 and 2000 characters.',
    ]);
    assert.match(await page.locator('#items-error').innerText(), /Error:\s*Choose one or more items/);
    assert.equal(await page.locator('#items').getAttribute('aria-describedby'), 'items-error');
    assert.equal(await page.locator('#justification').getAttribute('aria-invalid'), 'true');
    assert.ok((await page.locator('#justification').getAttribute('aria-describedby'))!.split(' ').includes('justification-error'));
    await tabTo(page, byText('Choose one or more items from the list.'), 'the items problem');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'items', 'the link takes focus to the items’ group');
    await tabTo(page, byLabel(/Partner Wiki/), 'the Partner Wiki box');
    await page.keyboard.press('Space');
    await tabTo(page, byLabel('Why do you need this access?'), 'the justification');
    await page.keyboard.type('We co-develop the Atlas gearbox and need the shared specifications.');
    await tabTo(page, byText('Submit request'), 'the submit button');
    await page.keyboard.press('Enter');

    await heading(page, /^Request #\d+$/);
    requestId = Number(/#(\d+)/.exec(await page.getByRole('heading', { level: 1 }).innerText())![1]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Your request was submitted/);
    assert.match(text, /Waiting for a sponsor/);
    assert.match(text, /Partner Wiki/);
    await page.context().close();
    // The answers to the mistyped e-mail and the empty request are 400s, which the browser logs: expected.
    const expected = (p: { kind: string; url: string; text: string }) => p.kind === 'console' && /\/(auth\/discover|requests)$/.test(p.url) && /status of 400/.test(p.text);
    chrome.problems.splice(0, chrome.problems.length, ...chrome.problems.filter((p) => !expected(p)));
    chrome.assertNoProblems('the partner with the keyboard');
  });

  test('a sponsor signs in and approves the request with the keyboard', async () => {
    assert.ok(requestId > 0, 'the partner’s request exists');
    chrome.problems.length = 0;
    const { page } = await chrome.person();
    await page.goto(`${stack.appUrl}/`);
    await heading(page, 'Access for partners');
    await tabTo(page, byText('Sign in with Passerelle Corp'), 'the staff sign-in');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await signInAtIdp(page, 'sam.sponsor@passerelle.test');

    await heading(page, 'Requests to decide');
    await tabTo(page, byText(`Request #${requestId}`), `the link to request #${requestId}`);
    await page.keyboard.press('Enter');
    await heading(page, `Request #${requestId} from Paula Partner`);
    await tabTo(page, byText('Approve'), 'the Approve button');
    await page.keyboard.press('Space');

    await heading(page, 'Requests to decide');
    assert.match(await page.getByRole('status').innerText(), new RegExp(`Request #${requestId} approved`));
    await page.context().close();
    chrome.assertNoProblems('the sponsor with the keyboard');
  });
});
