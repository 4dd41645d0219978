// A person following a mailed link lands, once signed in, on the page the link named, even when the
// database is slow to save sessions (FAULTS session.save: every session write waits 600 ms). A browser
// follows a redirect as soon as its headers arrive; express-session sends them before its save has
// finished, so the address to come back to, and the sign-in's state, are saved before those redirects
// leave. Under load on PostgreSQL the sponsor of the journey once landed on his inbox instead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { heading, launchWatched, signInAtIdp, type Watched } from '../harness/chromium.ts';
import { Browser } from '../harness/browser.ts';
import { submitAsPartner, waitUntilRouted } from '../harness/flows.ts';

let stack: Stack;
let chrome: Watched;

before(async () => {
  stack = await startStack({ env: { FAULTS: 'session.save=600' } });
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

describe('back to the mailed page after signing in, with slow session saves', () => {
  test('the sponsor opens the request from his mail, signs in, and reads that request', async () => {
    const { id } = await submitAsPartner(stack, new Browser(), 'acme', 'paula@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, id);
    const { page } = await chrome.person();
    await page.goto(`${stack.appUrl}/inbox/${id}`);
    await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await signInAtIdp(page, stack.appUrl, 'sam.sponsor@passerelle.test');
    await heading(page, `Request #${id} from Paula Partner`);
    assert.equal(new URL(page.url()).pathname, `/inbox/${id}`);
    chrome.assertNoProblems('sign-in return');
  });
});
