// Disabling an identity provider (say after a compromise) ends the sessions made through it on their
// next request, audited (issue 14, finding 3). The admin disables it in the console as a real admin
// would; Pete's browser already holds a session and a request form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { auditEvents, idpRow, requestOf } from '../harness/stored.ts';

let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function setAcmeEnabled(enabled: boolean): Promise<void> {
  const ada = new Browser();
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  const acme = await idpRow(stack, 'acme');
  const list = await ada.go(`${stack.appUrl}/admin/idps`);
  const done = await ada.submit(list, `/admin/idps/${acme.id}/enabled`, { enabled: String(enabled) });
  assert.equal(done.status, 200, done.text.slice(0, 300));
  assert.equal(Boolean((await idpRow(stack, 'acme')).enabled), enabled);
}

test('a session made through an IdP an admin disabled is ended on its next request, and the end is audited', async () => {
  const pete = new Browser();
  await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  const form = await pete.go(`${stack.appUrl}/requests/new`);
  assert.equal(form.status, 200, 'Pete is signed in and may ask');
  const cookieBefore = pete.cookieHeader(stack.appUrl);

  await setAcmeEnabled(false);

  const submitted = await pete.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'Submitted after Acme was switched off.' });
  assert.notEqual(submitted.status, 200, 'the request is not taken');
  assert.equal(await requestOf(stack, 'pete@acme.test'), undefined, 'nothing stored');
  const page = await pete.request('GET', `${stack.appUrl}/requests`);
  assert.equal(page.status, 303, 'Pete is signed out');
  assert.equal(page.headers.location, '/?signIn=1');

  const replay = new Browser();
  replay.plantCookie(stack.appUrl, cookieBefore);
  assert.equal((await replay.request('GET', `${stack.appUrl}/requests`)).status, 303, 'the old cookie is worth nothing');

  const ended = await auditEvents(stack, { action: 'auth.session_ended', actor_id: `${stack.issuers.acme.issuer}|acme-pete` });
  assert.equal(ended.length, 1, 'audited once, under Pete’s identity');
  assert.equal(JSON.parse(ended[0].details).reason, 'identity provider disabled');

  // A member's session through the home IdP is untouched.
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  assert.equal((await sam.go(`${stack.appUrl}/inbox`)).status, 200);

  await setAcmeEnabled(true);
  const again = new Browser();
  await again.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  assert.equal((await again.go(`${stack.appUrl}/requests/new`)).status, 200, 'signs in again once Acme is back');
});
