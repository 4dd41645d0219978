// Direct invitations in a real browser: the admin uploads a CSV and watches the batch page refresh
// itself until every row has a result; an owner invites to and removes a guest from her
// self-service group. Only clicks and typing on the real pages, one browser context per person; a
// full-page screenshot of every page goes to test-results/screenshots/admin-NN-*.png and
// owner-NN-*.png. Console errors, CSP violations and uncaught page errors fail the test.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { clearShots, heading, launchWatched, mainText, screenshot, type Watched } from '../harness/chromium.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';
import { JOBS } from '../../src/queue/queues.ts';

let stack: Stack;
let chrome: Watched;
const shotNumbers: Record<string, number> = {};

before(async () => {
  // Only this file's own screenshots: the journey's stay.
  clearShots(/^(admin|owner)-\d+-.*\.png$/);
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

const person = () => chrome.person();
const assertNoProblems = (where: string) => chrome.assertNoProblems(where);

/** Saves a full-page screenshot of what the person sees now, as <who>-NN-name.png. */
async function shot(page: Page, who: 'admin' | 'owner', name: string): Promise<void> {
  shotNumbers[who] = (shotNumbers[who] ?? 0) + 1;
  await screenshot(page, `${who}-${String(shotNumbers[who]).padStart(2, '0')}-${name}`);
}

/** From the start page: "Sign in with Passerelle Corp", then the IdP's form. */
async function signInAsStaff(page: Page, who: 'admin' | 'owner', email: string): Promise<void> {
  await page.goto(`${stack.appUrl}/`);
  await heading(page, 'Access for partners');
  await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
  await heading(page, 'Sign in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await shot(page, who, 'idp');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.appUrl) && !u.pathname.includes('/callback'));
}

/** The rows of the batch page's table: [row, e-mail, name, result]. */
async function batchRows(page: Page): Promise<string[][]> {
  const rows = page.locator('main table tbody tr');
  const out: string[][] = [];
  for (const row of await rows.all()) out.push((await row.locator('td').allInnerTexts()).map((s) => s.trim()));
  return out;
}

async function waitUntilDone(page: Page): Promise<void> {
  // The page reloads itself every 2 s (a Refresh header, no script) until the batch is done.
  await page.getByRole('status').filter({ hasText: 'Done.' }).waitFor({ timeout: 15_000 });
  await page.waitForLoadState('load');
}

describe('in a browser: direct invitations by an admin and by an owner', () => {
  beforeEach(() => {
    chrome.problems.length = 0; // each step is judged on its own pages
  });

  test('the admin uploads a CSV, ticks an item, sends, and watches the batch page until every row has a result', async () => {
    const { page, context } = await person();
    await signInAsStaff(page, 'admin', 'ada.admin@passerelle.test');
    // Admins land on the admin home, not the inbox (issue 17).
    await heading(page, 'Administration');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await heading(page, 'Administration');
    await shot(page, 'admin', 'administration');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Invite guests' }).click();

    await heading(page, 'Invite guests');
    assert.equal(new URL(page.url()).pathname, '/invitations');
    const csv = ['email,name', 'pete@acme.test,Pete Peer', 'gary@globex.test,Gary Guest', 'nora@newco.example,Nora New', 'nobody-at-all,Broken Row', ''].join('\n');
    await page.getByLabel('Or upload a CSV file').setInputFiles({ name: 'guests.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('checkbox', { name: 'Partner Wiki (Application)' }).check();
    await page.getByLabel('Personal message (optional)').fill('Welcome! The specifications are in the wiki.');
    await shot(page, 'admin', 'invite-form');

    // Hold the batch job (in this process) so the page is seen at work, then let it go.
    const queue = stack.worker.queues[JOBS.invitationBatch];
    await queue.pause(true);
    try {
      await page.getByRole('button', { name: 'Send invitations' }).click();
      await heading(page, /^Invitation batch #\d+$/);
      assert.match(await page.getByRole('status').innerText(), /Sending invitations…\s+1 of 4 rows processed\./);
      assert.equal(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('value'), '1');
      await shot(page, 'admin', 'batch-running');
    } finally {
      await queue.resume(true);
    }

    await waitUntilDone(page);
    await heading(page, /^Invitation batch #\d+$/);
    assert.match(await page.getByRole('status').innerText(), /Done\.\s+4 of 4 rows processed\./);
    assert.deepEqual(await batchRows(page), [
      ['1', 'pete@acme.test', 'Pete Peer', 'Invited'],
      ['2', 'gary@globex.test', 'Gary Guest', 'Invited'],
      ['3', 'nora@newco.example', 'Nora New', 'Invited'],
      ['4', 'nobody-at-all', 'Broken Row', 'Not an e-mail address'],
    ]);
    const counts = await page.locator('main ul.counts li').allInnerTexts();
    assert.deepEqual(counts.map((c) => c.trim()).sort(), ['Invited: 3', 'Not an e-mail address: 1']);
    await shot(page, 'admin', 'batch-done');

    // Back on the form, the batch is listed among the recent ones.
    await page.getByRole('link', { name: 'Invite more people' }).click();
    await heading(page, 'Invite guests');
    assert.match(await mainText(page), /Recent invitations[\s\S]*Invitation batch #\d+ — .* UTC — 4 of 4 rows processed\./);
    await shot(page, 'admin', 'invite-form-recent');
    await context.close();
    assertNoProblems('admin inviting');
  });

  test('an owner invites someone to her self-service group, then removes a guest', async () => {
    const { page, context } = await person();
    await signInAsStaff(page, 'owner', 'sue.sponsor@passerelle.test');
    await heading(page, 'Requests to decide');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My groups and apps' }).click();

    await heading(page, 'My groups and apps');
    const tile = page.locator('li.tile').filter({ has: page.getByRole('heading', { name: 'Quality Reviews' }) });
    assert.match(await tile.innerText(), /Group\s+0 guests/i);
    assert.equal(await page.locator('li.tile').count(), 1, 'only her self-service group');
    await shot(page, 'owner', 'my-groups');
    await tile.getByRole('link', { name: 'Invite to Quality Reviews' }).click();

    await heading(page, 'Invite guests');
    assert.ok(await page.getByRole('checkbox', { name: 'Quality Reviews (Group)' }).isChecked(), 'the group is preselected');
    assert.equal(await page.getByRole('checkbox').count(), 1, 'only her group is offered');
    await page.getByLabel('E-mail addresses').fill('Olga Owens <olga@globex.test>\nGus Grey <gus@globex.test>');
    await shot(page, 'owner', 'invite-form');
    await page.getByRole('button', { name: 'Send invitations' }).click();

    await heading(page, /^Invitation batch #\d+$/);
    await waitUntilDone(page);
    assert.deepEqual(await batchRows(page), [
      ['1', 'olga@globex.test', 'Olga Owens', 'Invited'],
      ['2', 'gus@globex.test', 'Gus Grey', 'Invited'],
    ]);
    await shot(page, 'owner', 'batch-done');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My groups and apps' }).click();
    await heading(page, 'My groups and apps');
    assert.match(await tile.innerText(), /2 guests/);
    await tile.getByRole('link', { name: 'Quality Reviews', exact: true }).click();

    await heading(page, 'Quality Reviews');
    const gus = page.getByRole('row', { name: /Gus Grey/ });
    assert.match(await gus.innerText(), /gus@globex\.test\s+Invited\s+No end date/);
    await shot(page, 'owner', 'group-guests');
    await gus.getByRole('button', { name: 'Remove Gus Grey' }).click();

    await heading(page, 'Quality Reviews');
    assert.match(await page.getByRole('status').innerText(), /The guest no longer has access\./);
    const text = await mainText(page);
    assert.doesNotMatch(text, /Gus Grey/);
    assert.match(text, /Olga Owens/);
    await shot(page, 'owner', 'guest-removed');
    await context.close();
    assertNoProblems('owner inviting and removing');
  });
});
