// axe-core on every page a browser test loads, under the page's own Content-Security-Policy: the
// script is evaluated through the DevTools protocol (Runtime.evaluate), which script-src does not
// govern, so nothing is bypassed, stripped or served differently (keyboard.test.ts shows it live on a
// page with its CSP). Only the WCAG 2.0/2.1 A and AA rules.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface Violation {
  url: string;
  rule: string;
  impact: string | null;
  help: string;
  /** One entry per element: its selector and axe's summary of what is wrong with it. */
  nodes: { target: string; summary: string }[];
}

/**
 * What axe found on the page now (text/html documents only; a JSON or CSV answer is not a page), in a
 * DevTools session of its own. The source is a string evaluated as such: functions compiled by tsx
 * would carry helpers (__name) the page does not have. Fails if the page has moved on meanwhile.
 */
export async function axeCheck(page: Page): Promise<Violation[] | null> {
  const url = page.url();
  const cdp = await page.context().newCDPSession(page);
  try {
    const evaluate = async (expression: string): Promise<unknown> => {
      const answer = (await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } };
      if (answer.exceptionDetails) throw new Error(answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
      return answer.result.value;
    };
    const [type, href] = (await evaluate(`[document.contentType, location.href]`)) as [string, string];
    if (href !== url) throw new Error(`the page moved on to ${href} before axe could check it`);
    if (type !== 'text/html') return null;
    if (!(await evaluate(`typeof window.axe === 'object'`))) await evaluate(`${AXE_SOURCE};0`);
    const json = (await evaluate(`axe.run(document, ${JSON.stringify({ runOnly: { type: 'tag', values: WCAG_TAGS }, resultTypes: ['violations'] })})
      .then((r) => JSON.stringify(r.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300) })) }))))`)) as string;
    return (JSON.parse(json) as Omit<Violation, 'url'>[]).map((v) => ({ url, ...v }));
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** One line per violation and element: rule, selector, page, what is wrong. */
export function describeViolations(violations: Violation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `  ${v.rule} (${v.impact ?? 'n/a'}) at ${v.url}\n    ${n.target}: ${n.summary || v.help}`))
    .join('\n');
}

const settled = new WeakMap<Page, () => Promise<void>>();

/** Waits for axe's check of the page the person is on (a no-op for pages not watched). */
export async function untilChecked(page: Page): Promise<void> {
  await settled.get(page)?.();
}

/**
 * Watches a page: after each load of a document, axe checks it. Chromium evaluates nothing in a page
 * while a navigation away from it is in flight, so what a test does that may leave the page (goto,
 * click, press, check…: see holdActions) first waits for the check of the page it is on. A page that
 * moves on by itself at once (Refresh: 0, home-realm discovery's "Continuing to…") cannot be checked
 * in passing: it is reported as skipped, and test/browser/reflow.test.ts checks it held still.
 */
export function watchAccessibility(page: Page, report: (url: string, violations: Violation[]) => void, onError: (url: string, err: unknown) => void, skipped: (url: string) => void): () => Promise<void> {
  holdActions(page);
  rememberDevices(page);
  let pending: Promise<void> = Promise.resolve();
  let refreshing: string | null = null;
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame() && res.status() < 300) {
      refreshing = /^\s*0\s*;/.test(res.headers().refresh ?? '') ? res.url() : null;
    }
  });
  const check = () => {
    const url = page.url();
    if (!/^https?:/.test(url)) return;
    if (refreshing === url) return skipped(url);
    pending = pending.then(async () => {
      try {
        const found = await axeCheck(page);
        if (found) report(url, found);
      } catch (err) {
        if (!page.isClosed()) onError(url, err);
      }
    });
  };
  page.on('load', check);
  const settle = () => pending;
  settled.set(page, settle);
  return settle;
}

type Method = (...args: unknown[]) => Promise<unknown>;
let patched = false;

/**
 * Makes every Playwright action that can navigate wait for the check of the page it starts from:
 * the page's, its locators', its keyboard's and its mouse's (one patch of their classes, for all pages).
 */
function holdActions(page: Page): void {
  if (patched) return;
  patched = true;
  const locator = page.locator('body');
  const classes: [object, string[], (self: unknown) => Page][] = [
    [Object.getPrototypeOf(page), ['goto', 'reload', 'goBack', 'goForward', 'click', 'dblclick', 'tap', 'press', 'check', 'uncheck', 'selectOption'], (self) => self as Page],
    [Object.getPrototypeOf(locator), ['click', 'dblclick', 'tap', 'press', 'pressSequentially', 'check', 'uncheck', 'setChecked', 'selectOption', 'dispatchEvent'], (self) => (self as { page(): Page }).page()],
    [Object.getPrototypeOf(page.keyboard), ['press', 'type', 'down', 'insertText'], (self) => pageOf.get(self as object) as Page],
    [Object.getPrototypeOf(page.mouse), ['click', 'dblclick', 'down'], (self) => pageOf.get(self as object) as Page],
  ];
  // Closing a page or a person's browser waits too, so the last page of a step is checked.
  const closePage = (Object.getPrototypeOf(page) as Record<string, Method>).close!;
  (Object.getPrototypeOf(page) as Record<string, Method>).close = async function (this: Page, ...args: unknown[]) {
    await untilChecked(this);
    return closePage.apply(this, args);
  };
  const contextProto = Object.getPrototypeOf(page.context()) as Record<string, Method>;
  const closeContext = contextProto.close!;
  contextProto.close = async function (this: { pages(): Page[] }, ...args: unknown[]) {
    for (const p of this.pages()) await untilChecked(p);
    return closeContext.apply(this, args);
  };
  for (const [proto, names, owner] of classes) {
    const p = proto as Record<string, Method>;
    for (const name of names) {
      const fn = p[name];
      if (typeof fn !== 'function') continue;
      p[name] = async function (this: unknown, ...args: unknown[]) {
        const of = owner(this);
        if (of) await untilChecked(of);
        return fn.apply(this, args);
      };
    }
  }
}

const pageOf = new WeakMap<object, Page>();
/** Keyboard and mouse know their page only privately: remember it for holdActions. */
export function rememberDevices(page: Page): void {
  pageOf.set(page.keyboard, page);
  pageOf.set(page.mouse, page);
}
