// An access review of 200 rows in Chromium: a sponsor finds it in the navigation, filters it, ticks
// every row of the page with the link made for it (no script), decides for the ticked rows with the
// keyboard alone, and keeps a single row with its own button. axe checks every page loaded.
// Screenshots: test-results/screenshots/access-review-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { systemContext } from '../harness/factories.ts';
import { itemsNamed, userIdOf } from '../harness/world.ts';
import { clearShots, heading, launchWatched, screenshot, type Watched } from '../harness/chromium.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { insertUser } from '../../src/db/users.ts';
import { grantMembership } from '../../src/db/memberships.ts';
import { addGuestSponsor } from '../../src/db/guests.ts';
import { startCampaign } from '../../src/commands/reviews/startCampaign.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let chrome: Watched;
let campaignId = 0;
const ROWS = 200;

before(async () => {
  clearShots(/^access-review-.*\.png$/);
  stack = await startStack();
  const samId = await userIdOf(stack, 'sam.sponsor@passerelle.test');
  const [atlas] = await itemsNamed(stack, ['Project Atlas']);
  // 200 of Sam's guests, each holding Project Atlas, written in one transaction (the factories would
  // take one each): the page shows them as they are stored.
  await inTransaction(stack.db, async (trx) => {
    for (let i = 1; i <= ROWS; i++) {
      const n = String(i).padStart(3, '0');
      const id = Number(await insertUser(trx, { display_name: `Reviewed Guest ${n}`, email: `r${n}@acme.test`, user_type: 'guest', state: 'active' }));
      await grantMembership(trx, { userId: id, itemId: atlas.id, source: 'direct', sourceId: null, grantedBy: null, expiresAt: null });
      await addGuestSponsor(trx, id, samId);
    }
  });
  const review = { name: 'Atlas winter review', scope: 'item' as const, scopeId: atlas.id, recurrenceMonths: null, deadlineAt: new Date(Date.now() + 14 * 86_400_000).toISOString(), defaultDecision: 'keep' as const };
  const started = await startCampaign(stack, systemContext(), review, await userIdOf(stack, 'ada.admin@passerelle.test'));
  assert.equal(started.rows, ROWS);
  campaignId = started.id;
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});
after(async () => {
  await chrome?.close();
  await stack?.stop();
});

test('a review of 200 rows: filtered, every row of the page ticked, decided with the keyboard, one row kept with its button', async () => {
  const { page } = await chrome.person();
  await page.goto(`${stack.appUrl}/auth/ours`);
  await page.getByLabel('E-mail address').fill('sam.sponsor@passerelle.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));

  // The navigation leads to his reviews, and the review to its rows, a page of 50 at a time.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access reviews' }).click();
  await heading(page, 'Your access reviews');
  const startedAt = Date.now();
  await page.getByRole('link', { name: 'Atlas winter review' }).click();
  await heading(page, 'Review: Atlas winter review');
  assert.ok(Date.now() - startedAt < 5000, 'the page of a 200-row review opens quickly');
  await page.getByText('200 rows, page 1 of 4').waitFor();
  assert.equal(await page.locator('input[name="rows"]').count(), 50);
  await screenshot(page, 'access-review-page');

  // Filter: "r01" is the e-mail of Reviewed Guest 010 to 019.
  await page.getByLabel('Guest, organization or access').fill('r01');
  await page.getByLabel('Guest, organization or access').press('Enter');
  await page.getByText('10 rows, page 1 of 1').waitFor();

  // Every row of the page ticked, without a script: a link that reloads the page with its boxes ticked.
  await page.getByRole('link', { name: 'Tick every row on this page' }).click();
  await page.getByText('10 rows, page 1 of 1').waitFor();
  const boxes = page.locator('input[name="rows"]');
  assert.equal(await boxes.count(), 10);
  for (let i = 0; i < 10; i++) assert.equal(await boxes.nth(i).isChecked(), true);
  await page.getByRole('checkbox', { name: 'Select Reviewed Guest 019: Project Atlas' }).uncheck();

  // The decision with the keyboard alone: the radio group (arrows), the reason, then Enter on the button.
  await page.getByRole('radio', { name: 'Keep', exact: true }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getByRole('radio', { name: 'Remove', exact: true }).isChecked(), true);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Left the Atlas project in November');
  await page.keyboard.press('Tab'); // the "apply to" group, on "the rows ticked on this page"
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'checked');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Record the decision');
  await page.keyboard.press('Enter');
  await page.getByText('9 answers recorded.').waitFor();
  await screenshot(page, 'access-review-decided');
  const removed = await stack.db('review_rows').where({ campaign_id: campaignId, decision: 'remove' }).orderBy('guest_email').select('guest_email', 'reason');
  assert.deepEqual(removed.map((r) => r.guest_email), ['r010', 'r011', 'r012', 'r013', 'r014', 'r015', 'r016', 'r017', 'r018'].map((n) => `${n}@acme.test`));
  assert.ok(removed.every((r) => r.reason === 'Left the Atlas project in November'));
  assert.equal(await page.locator('tbody .status', { hasText: 'Remove' }).count(), 9, 'the page shows the decisions');

  // Only what is left to answer: the filter kept in the address, one row kept with its own button (keyboard).
  await page.getByRole('link', { name: 'Clear the filter' }).click();
  await page.getByLabel('Only rows not answered yet').check();
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('191 rows, page 1 of 4').waitFor();
  await page.getByRole('button', { name: 'Keep Reviewed Guest 001’s access to Project Atlas' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('One answer recorded.').waitFor();
  await page.getByText('190 rows, page 1 of 4').waitFor();
  const kept = await stack.db('review_rows').where({ campaign_id: campaignId, guest_email: 'r001@acme.test' }).first();
  assert.equal(kept.decision, 'keep');

  // The pages further on.
  await page.getByRole('link', { name: 'Next page' }).click();
  await page.getByText('190 rows, page 2 of 4').waitFor();
  await chrome.assertAccessible('access review page');
  chrome.assertNoProblems('access review page');
});

test('an admin starts a review from Administration, follows it per reviewer, in English and in French', async () => {
  const { page } = await chrome.person();
  await page.goto(`${stack.appUrl}/auth/ours`);
  await page.getByLabel('E-mail address').fill('ada.admin@passerelle.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
  await page.goto(`${stack.appUrl}/admin`);
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Access reviews' }).click();
  await heading(page, 'Access reviews');
  await page.getByRole('link', { name: 'Atlas winter review' }).click();
  await heading(page, 'Access review: Atlas winter review');
  await page.getByRole('row', { name: /Sam Sponsor .* 10 of 200/ }).waitFor();
  await screenshot(page, 'access-review-progress');

  // A mistake first: no name. The form comes back with the error, focused, and what was chosen.
  await page.getByRole('link', { name: 'Access reviews' }).first().click();
  await page.getByRole('link', { name: 'Start an access review' }).click();
  await heading(page, 'Start an access review');
  await page.getByRole('radio', { name: 'The guests who hold one catalog item' }).check();
  await page.getByLabel('Catalog item', { exact: true }).selectOption({ label: 'Project Atlas' });
  await page.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Every 6 months' });
  await page.getByRole('button', { name: 'Start the review' }).click();
  await page.getByRole('link', { name: 'Give the review a name, of 200 characters at most.' }).waitFor();
  assert.equal(await page.getByLabel('Repeat', { exact: true }).inputValue(), '6');
  // The form's 400 is the answer expected here, not a problem of the page.
  chrome.problems.splice(0, chrome.problems.length, ...chrome.problems.filter((p) => !(p.kind === 'console' && /status of 400/.test(p.text) && p.url.endsWith('/admin/reviews'))));
  await page.getByLabel('Name', { exact: true }).fill('Atlas, spring');
  await page.getByRole('button', { name: 'Start the review' }).click();
  await page.getByText('The review started with 200 rows to answer.').waitFor();
  await heading(page, 'Access review: Atlas, spring');

  // In French.
  await page.getByRole('button', { name: 'Français' }).click();
  await heading(page, 'Revue d’accès : Atlas, spring');
  await page.getByText('Tous les 6 mois').waitFor();
  await page.goto(`${stack.appUrl}/reviews/${campaignId}?everyone=1`);
  await page.getByText('200 lignes, page 1 sur 4').waitFor();
  await screenshot(page, 'access-review-every-row-fr');
  await chrome.assertAccessible('access review administration');
  chrome.assertNoProblems('access review administration');
});
