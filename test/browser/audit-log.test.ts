// The audit log in Chromium at a laptop's, a phone's and the narrowest width (1280, 390, 320 px): no
// sideways scroll with an event's details open, each event a stacked block (time above its sentence
// on a phone), the JSON scrolling inside its own focusable box. Screenshots go to
// test-results/screenshots/audit-log-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { systemContext } from '../harness/factories.ts';
import { appendAudit } from '../../src/db/audit.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { clearShots, heading, launchWatched, screenshot, type Watched } from '../harness/chromium.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;

before(async () => {
  clearShots(/^audit-log-.*\.png$/);
  stack = await startStack();
  // Long values with no break opportunity, as correlation ids, URLs and JSON hold them.
  await inTransaction(stack.db, (trx) =>
    appendAudit(trx, systemContext(`corr-${'x'.repeat(90)}`), {
      action: 'settings.updated',
      target: 'settings',
      details: { changes: { url: [`https://example.test/${'a'.repeat(150)}`, `https://example.test/${'b'.repeat(150)}`] }, list: Array.from({ length: 40 }, (_, i) => `item-${i}`) },
    }),
  );
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});
after(async () => {
  await chrome?.close();
  await stack?.stop();
});

test('the audit log fits 1280, 390 and 320 px with details open; on a phone each event is a stacked block', async () => {
  const { page } = await chrome.person();
  await page.goto(`${stack.appUrl}/auth/ours`);
  await page.getByLabel('E-mail address').fill('ada.admin@passerelle.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
  for (const width of [1280, 390, 320]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${stack.appUrl}/admin/audit`);
    await heading(page, 'Audit log');
    await page.locator('.audit-more summary').first().click();
    const box = page.locator('.audit-json').first();
    assert.equal(await box.getAttribute('tabindex'), '0');
    const excess = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await screenshot(page, `audit-log-${width}`);
    assert.ok(excess <= 0, `${width} px: the page is ${excess} px wider than the window`);
    const [when, sentence] = await Promise.all([page.locator('.audit-when').first().boundingBox(), page.locator('.audit-sentence').first().boundingBox()]);
    assert.ok(when && sentence);
    if (width < 768) assert.ok(sentence.y >= when.y + when.height - 1, `${width} px: the sentence sits under the time`);
    else assert.ok(sentence.x > when.x + when.width - 1, `${width} px: the sentence sits beside the time`);
  }
  // In French (chosen with the switch), at the narrowest width.
  await page.setViewportSize({ width: 320, height: 800 });
  await page.getByRole('button', { name: 'Français' }).click();
  await heading(page, 'Journal d’audit');
  await page.locator('.audit-more summary').first().click();
  await screenshot(page, 'audit-log-320-fr');
  const excess = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(excess <= 0, `320 px in French: the page is ${excess} px wider than the window`);
  await chrome.assertAccessible('audit log');
  chrome.assertNoProblems('audit log');
});
