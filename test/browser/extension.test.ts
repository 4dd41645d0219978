// An extension in a real browser (issue 18, points 4 and 5): the guest follows the expiry notice's
// button, signs in, confirms on the page it opens, and My access says the extension waits for a
// decision; the admin's settings page shows the "Access expiry" fieldset. Clicks only; every page
// checked by axe; screenshots extension-NN-*.png.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { clearShots, heading, launchWatched, mainText, screenshot, signInAtIdp, type Watched } from '../harness/chromium.ts';
import { buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { setMembershipEnd } from '../harness/rowEdits.ts';
import { userByEmail } from '../harness/stored.ts';
import { addSponsor } from '../../src/commands/admin/guests/addSponsor.ts';

let stack: Stack;
let chrome: Watched;
let shotNumber = 0;
const DAY = 86_400_000;

before(async () => {
  clearShots(/^extension-\d{2}-.*\.png$/);
  stack = await startStack({ env: { SWEEP_INTERVAL_MS: '200' } });
  await buildCatalogItem(stack, { name: 'Gearbox Drawings', maxDays: 90 });
  const paulaId = await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Gearbox Drawings'] });
  await addSponsor(stack, systemContext(), paulaId, Number((await userByEmail(stack, 'sam.sponsor@passerelle.test')).id));
  const item = Number((await stack.db('catalog_items').where({ name: 'Gearbox Drawings' }).first()).id);
  await setMembershipEnd(stack, paulaId, item, new Date(Date.now() + 10 * DAY), new Date(Date.now() - 80 * DAY));
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  shotNumber += 1;
  await screenshot(page, `extension-${String(shotNumber).padStart(2, '0')}-${name}`);
}


describe('in a browser: the guest asks for an extension from the notice', () => {
  beforeEach(() => {
    chrome.problems.length = 0;
  });

  test('the notice’s button, sign-in, one confirmation, and My access says it waits', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && m.subject.startsWith('Your access to Gearbox Drawings ends on'));
    const link = /(https?:\/\/\S+\/access\/extend\/\d+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    const { page } = await chrome.person();
    await page.goto(link);
    await page.getByLabel('Work e-mail address').fill('paula@acme.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.acme!.issuer));
    await signInAtIdp(page, stack.appUrl, 'paula@acme.test');
    await heading(page, 'Ask to extend your access to Gearbox Drawings');
    assert.match(await mainText(page), /Your access to Gearbox Drawings ends on/);
    await shot(page, 'confirm');
    await page.getByLabel('Why do you still need it? (optional)').fill('The gearbox review runs into spring.');
    await page.getByRole('button', { name: 'Ask to extend' }).click();
    await heading(page, 'My access');
    assert.match(await page.getByRole('status').innerText(), /Your extension request was sent/);
    assert.match(await mainText(page), /Extension asked: waiting for a decision/);
    assert.equal(await page.getByRole('button', { name: 'Ask to extend your access to Gearbox Drawings' }).count(), 0, 'not offered twice');
    await shot(page, 'waiting');
    chrome.assertNoProblems('guest asking for an extension');
  });

  test('the admin’s settings show the Access expiry fieldset', async () => {
    const { page } = await chrome.person();
    await page.goto(`${stack.appUrl}/admin/settings`);
    await page.getByRole('button', { name: /Passerelle Corp/ }).or(page.getByRole('link', { name: /Passerelle Corp/ })).first().click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await signInAtIdp(page, stack.appUrl, 'ada.admin@passerelle.test');
    await page.goto(`${stack.appUrl}/admin/settings`);
    await heading(page, 'Settings');
    assert.equal(await page.getByLabel('Notice before access ends (days)').inputValue(), '14, 3');
    await page.getByLabel('Notice before access ends (days)').fill('14, three');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.match(await mainText(page), /Write up to five whole numbers of days/);
    assert.equal(await page.getByLabel('Notice before access ends (days)').inputValue(), '14, three', 'what she typed is kept');
    await shot(page, 'settings-error');
    // The form shown again answers 400, as it should: the browser logs it; it is the answer under test.
    const refused = chrome.problems.filter((p) => p.kind === 'console' && /status of 400/.test(p.text));
    assert.equal(refused.length, 1);
    chrome.problems.splice(chrome.problems.indexOf(refused[0]!), 1);
    chrome.assertNoProblems('admin settings');
  });
});
