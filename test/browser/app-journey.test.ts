// The end of the README journey in a real browser: Paula, a guest with Partner Wiki and Project
// Atlas, opens Partner Wiki from My access, consents, and the wiki (the demo's sample app, a separate
// openid-client relying party registered as `npm start` registers it) shows her name, her groups and
// the issuer she signed in at; signing out of the wiki goes through Passerelle, which tells the wiki
// by a back-channel logout token to end her session in her other browser too. Gary, who has no
// access, is refused with a button to request it. One browser context per browser a person uses; a
// full-page screenshot of every page goes to test-results/screenshots/app-NN-*.png. Console errors,
// CSP violations and uncaught page errors on Passerelle's or the wiki's pages fail the test.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { generateKeyPair, SignJWT } from 'jose';
import { startStack, type Stack } from '../harness/stack.ts';
import { clearShots, heading, launchWatched, mainText, screenshot, type Watched } from '../harness/chromium.ts';
import { buildGuest } from '../harness/factories.ts';
import { itemsNamed } from '../harness/world.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';
import { freePort } from '../../src/demo/net.ts';
import { registerPartnerWiki } from '../../src/demo/partnerWikiClient.ts';
import { startPartnerWiki, type RunningPartnerWiki } from '../../src/demo/partnerWiki.ts';

let stack: Stack;
let chrome: Watched;
let wiki: RunningPartnerWiki;
let wikiUrl = '';
let clientId = '';
let dir = '';
let shotNumber = 0;

before(async () => {
  clearShots(/^app-\d{2}-.*\.png$/);
  stack = await startStack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-wiki-'));
  const port = await freePort();
  wikiUrl = `http://127.0.0.1:${port}`;
  // Registered as `npm start` registers it: Partner Wiki's Sign-in settings, the secret kept in a file.
  const client = await registerPartnerWiki({ config: stack.config, db: stack.db }, wikiUrl, path.join(dir, 'partner-wiki-client.json'));
  assert.ok(client, 'the seeded catalog has Partner Wiki');
  assert.equal(client.outcome, 'registered');
  clientId = client.clientId;
  wiki = await startPartnerWiki({ issuer: `${stack.appUrl}/oidc`, clientId: client.clientId, clientSecret: client.secret, url: wikiUrl, port });
  await wiki.ready;
  chrome = await launchWatched((url) => !!stack && (url.startsWith(stack.appUrl) || url.startsWith(wikiUrl)));
});

after(async () => {
  await chrome?.close();
  await wiki?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const person = () => chrome.person();

async function shot(page: Page, name: string): Promise<void> {
  shotNumber += 1;
  await screenshot(page, `app-${String(shotNumber).padStart(2, '0')}-${name}`);
}

/** On Passerelle's start page: the work e-mail, then the partner's IdP, back at Passerelle. */
async function signInAtPasserelle(page: Page, email: string, idp: string): Promise<void> {
  await heading(page, 'Access for partners');
  await page.getByLabel('Work e-mail address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.toString().startsWith(stack.issuers[idp]!.issuer));
  await heading(page, 'Sign in');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => !u.toString().startsWith(stack.issuers[idp]!.issuer) && !u.pathname.includes('/callback'));
}

/** The groups the wiki lists under "Your groups". */
const wikiGroups = (page: Page) => page.getByRole('list', { name: 'Your groups' }).getByRole('listitem').allInnerTexts();

describe('in a browser: Paula opens Partner Wiki from My access; Gary is refused with a way to ask', () => {
  beforeEach(() => {
    chrome.problems.length = 0;
  });
  let paula: Awaited<ReturnType<typeof person>>;
  let paulaElsewhere: Awaited<ReturnType<typeof person>>;

  test('Paula opens Partner Wiki from My access, consents once, and the wiki shows her name, groups and issuer', async () => {
    await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Partner Wiki', 'Project Atlas'] });
    paula = await person();
    const { page } = paula;
    await page.goto(`${stack.appUrl}/`);
    await signInAtPasserelle(page, 'paula@acme.test', 'acme');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My access' }).click();
    await heading(page, 'My access');
    await shot(page, 'my-access');

    // The tile opens the app's own sign-in (third-party-initiated login), which starts at Passerelle.
    const open = page.getByRole('link', { name: 'Open Partner Wiki' });
    const launch = new URL((await open.getAttribute('href')) ?? '');
    assert.equal(`${launch.origin}${launch.pathname}`, `${wikiUrl}/login`);
    assert.equal(launch.searchParams.get('iss'), `${stack.appUrl}/oidc`);
    await open.click();

    await heading(page, 'Partner Wiki would like to know who you are');
    const asked = await mainText(page);
    for (const what of ['Your e-mail address', 'Your name', 'The organization you signed in with', 'The groups you belong to that this application may see']) {
      assert.match(asked, new RegExp(what), `the consent page lists "${what}"`);
    }
    await shot(page, 'consent');
    await page.getByRole('button', { name: 'Allow and continue' }).click();

    await page.waitForURL((u) => u.toString().startsWith(`${wikiUrl}/`) && u.pathname === '/');
    await heading(page, 'Signed in as Paula Partner');
    const shown = await mainText(page);
    assert.match(shown, /paula@acme\.test \(verified\)/);
    assert.match(shown, /Account type\s+guest/);
    assert.ok(shown.includes(stack.issuers.acme!.issuer), `the wiki shows the issuer she signed in at: ${shown}`);
    assert.match(shown, /amr fed/);
    // Every catalog group is visible to the wiki; she holds only Project Atlas.
    assert.deepEqual(await wikiGroups(page), ['Project Atlas']);
    await shot(page, 'wiki-signed-in');
    chrome.assertNoProblems('Paula opening Partner Wiki');
  });

  test('on her other computer Paula signs in to the wiki through Passerelle without being asked again', async () => {
    paulaElsewhere = await person();
    const { page } = paulaElsewhere;
    await page.goto(`${wikiUrl}/`);
    await heading(page, 'Partner Wiki — sign in with Passerelle');
    await shot(page, 'wiki-home');
    await page.getByRole('link', { name: 'Sign in' }).click();
    assert.match(await page.getByRole('status').innerText(), /Sign in to continue to Partner Wiki/);
    await signInAtPasserelle(page, 'paula@acme.test', 'acme');
    // Her consent is remembered for the app: straight back to the wiki.
    await page.waitForURL((u) => u.toString().startsWith(`${wikiUrl}/`) && u.pathname === '/');
    await heading(page, 'Signed in as Paula Partner');
    assert.deepEqual(await wikiGroups(page), ['Project Atlas']);
    chrome.assertNoProblems('Paula on her other computer');
  });

  test('a logout token Passerelle did not sign ends nothing, even naming her', async () => {
    const { page } = paulaElsewhere;
    const sub = await page.getByRole('definition').filter({ hasText: 'only Partner Wiki sees' }).locator('code').innerText();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
      .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt' })
      .setIssuer(`${stack.appUrl}/oidc`)
      .setAudience(clientId)
      .setSubject(sub)
      .setIssuedAt()
      .setJti('forged-1')
      .setExpirationTime('2m')
      .sign(privateKey);
    const answer = await fetch(`${wikiUrl}/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: forged }) });
    assert.equal(answer.status, 400);
    await page.reload();
    await heading(page, 'Signed in as Paula Partner');
  });

  test('Paula signs out of the wiki through Passerelle, which signs her out of the wiki everywhere', async () => {
    const { page } = paula;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign out');
    assert.match(await mainText(page), /Partner Wiki is signing you out\. Do you also want to sign out of Passerelle\?/);
    await shot(page, 'passerelle-sign-out');
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${wikiUrl}/`);
    await heading(page, 'Partner Wiki — sign in with Passerelle');

    // Passerelle's session is over too.
    await page.goto(`${stack.appUrl}/access`);
    await heading(page, 'Access for partners');

    // The wiki dropped her session in the other browser when Passerelle's logout token reached it.
    await paulaElsewhere.page.reload();
    await heading(paulaElsewhere.page, 'Partner Wiki — sign in with Passerelle');
    chrome.assertNoProblems('Paula signing out');
  });

  test('Gary, who has no access, is refused and offered the request form with Partner Wiki chosen', async () => {
    const { page } = await person();
    await page.goto(`${wikiUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInAtPasserelle(page, 'gary@globex.test', 'globex');

    await heading(page, "You don't have access to Partner Wiki");
    assert.match(await mainText(page), /Nothing was shared with the application/);
    assert.ok(page.url().startsWith(stack.appUrl), 'the refusal is Passerelle’s page; the wiki got nothing');
    await shot(page, 'no-access');
    // The refusal answers 403, which Chromium reports on the console as the page's own failed load.
    const refusal = (p: { kind: string; url: string; text: string }) => p.kind === 'console' && p.url === page.url() && /status of 403/.test(p.text);
    chrome.problems.splice(0, chrome.problems.length, ...chrome.problems.filter((p) => !refusal(p)));
    await page.getByRole('link', { name: 'Request access to Partner Wiki' }).click();

    await heading(page, 'Request access');
    const [wikiItem] = await itemsNamed(stack, ['Partner Wiki']);
    assert.equal(new URL(page.url()).searchParams.get('item'), String(wikiItem!.id));
    assert.ok(await page.getByRole('checkbox', { name: /Partner Wiki/ }).isChecked(), 'Partner Wiki is already chosen');
    assert.ok(!(await page.getByRole('checkbox', { name: /Project Atlas/ }).isChecked()), 'nothing else is');
    await shot(page, 'request-form');
    chrome.assertNoProblems('Gary refused');
  });
});
