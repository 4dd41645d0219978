// Debian's Chromium driven by playwright-core (never a downloaded browser), with every page watched
// for console errors, CSP violations, uncaught errors and failed assets on our own origin, and checked
// by axe-core (WCAG 2.1 A and AA) each time a document loads: a test fails, after it ends at the
// latest, on any accessibility violation of a page it visited.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describeViolations, watchAccessibility, type Violation } from './axe.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

export const SHOTS = path.resolve('test-results/screenshots');
const TIMEOUT_MS = 10_000;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Problem {
  kind: 'console' | 'pageerror' | 'response' | 'axe';
  url: string;
  text: string;
}

export interface Watched {
  browser: Browser;
  problems: Problem[];
  /** Every accessibility violation axe found on a page visited, for the whole file (never cleared). */
  violations: Violation[];
  /** The pages axe checked, in order. */
  checked: string[];
  /** Pages that moved on by themselves at once (Refresh: 0), too fast to check in passing. */
  skipped: string[];
  /** Waits for the checks of the pages loaded so far, then fails on violations not yet reported. */
  assertAccessible(where: string): Promise<void>;
  /** A person with their own browser context (cookies). */
  person(): Promise<{ context: BrowserContext; page: Page }>;
  assertNoProblems(where: string): void;
  close(): Promise<void>;
}

export async function launchWatched(isOurs: (url: string) => boolean): Promise<Watched> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const problems: Problem[] = [];
  const violations: Violation[] = [];
  const checked: string[] = [];
  const skipped: string[] = [];
  const contexts: BrowserContext[] = [];
  const settles: (() => Promise<void>)[] = [];
  let reported = 0;
  const unreported = (where: string): string | null => {
    const fresh = violations.slice(reported);
    reported = violations.length;
    return fresh.length ? `axe-core (WCAG 2.1 A/AA) found ${fresh.length} violation(s) (${where}):\n${describeViolations(fresh)}` : null;
  };
  const watched: Watched = {
    browser,
    problems,
    violations,
    checked,
    skipped,
    async assertAccessible(where: string) {
      for (const settle of settles) await settle();
      const message = unreported(where);
      if (message) assert.fail(message);
    },
    async person() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
      contexts.push(context);
      context.setDefaultTimeout(TIMEOUT_MS);
      context.setDefaultNavigationTimeout(TIMEOUT_MS);
      const page = await context.newPage();
      settles.push(watchAccessibility(page, (url, found) => {
        checked.push(url);
        violations.push(...found);
      }, (url, err) => problems.push({ kind: 'axe', url, text: `axe-core could not check the page: ${String(err)}` }), (url) => skipped.push(url)));
      page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' || /Content Security Policy/i.test(text)) {
          const source = msg.location().url;
          problems.push({ kind: 'console', url: page.url(), text: source && source !== page.url() ? `${text} (${source})` : text });
        }
      });
      page.on('pageerror', (err) => problems.push({ kind: 'pageerror', url: page.url(), text: String(err) }));
      page.on('response', (res) => {
        if (res.status() >= 400 && isOurs(res.url()) && res.request().resourceType() !== 'document') {
          problems.push({ kind: 'response', url: res.url(), text: `${res.status()} for a ${res.request().resourceType()}` });
        }
      });
      return { context, page };
    },
    assertNoProblems(where: string) {
      const ours = problems.filter((p) => isOurs(p.url) || /Content Security Policy/i.test(p.text) || p.kind === 'pageerror' || p.kind === 'axe');
      assert.deepEqual(ours, [], `problems reported by the browser (${where})`);
      const message = unreported(where);
      if (message) assert.fail(message);
    },
    async close() {
      // Pages visited in a before/after hook are checked too: the file fails here if one has a violation.
      for (const settle of settles) await settle().catch(() => undefined);
      live.delete(watched);
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch((err) => console.error('closing the browser:', err));
      const message = unreported('pages visited outside a test, or at its very end');
      console.log(`axe-core (WCAG 2.1 A/AA): ${checked.length} page loads checked, ${new Set(violations.map((v) => v.rule)).size} rule(s) violated${skipped.length ? `; ${skipped.length} moved on at once (Refresh: 0) and were not checked in passing` : ''}`);
      if (message) throw new Error(message);
    },
  };
  live.add(watched);
  return watched;
}

const live = new Set<Watched>();

// Every test of a file that drives a browser ends with the accessibility of the pages it visited.
afterEach(async () => {
  for (const w of live) await w.assertAccessible('the pages this test visited');
});

/** Removes earlier screenshots whose names match, so a run leaves only its own. */
export function clearShots(pattern: RegExp): void {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (pattern.test(f)) fs.rmSync(path.join(SHOTS, f));
}

/** A full-page screenshot of what the person sees now. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** At a demo IdP's sign-in page: types the account and the demo password, and waits to be back at the app (appUrl). */
export async function signInAtIdp(page: Page, appUrl: string, email: string): Promise<void> {
  await heading(page, 'Sign in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(appUrl) && !u.pathname.includes('/callback'));
}

export async function mainText(page: Page): Promise<string> {
  return page.locator('main').innerText();
}
