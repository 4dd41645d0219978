// Uma of the demo: her IdP (Acme's) signs her in without confirming her e-mail address. The README
// says she is refused; she used to land on "You have not asked for access yet" with no button and no
// reason. She now lands on a 403 page that says why she cannot ask and what she can do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { auditEvents, countRows } from '../harness/stored.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('after signing in, Uma lands on why she cannot ask and what to do, with a 403', async () => {
  const uma = new Browser();
  const landed = await uma.signIn(stack.appUrl, 'acme', 'uma@acme.test');
  assert.equal(landed.status, 403);
  assert.ok(new URL(landed.url).pathname === '/requests/new', landed.url);
  assert.match(landed.text, /<h1>You cannot ask for access with this sign-in<\/h1>/);
  assert.match(landed.text, /Acme Industries signed you in but did not confirm your e-mail address \(uma@acme\.test\)/);
  assert.match(landed.text, /Ask your IT team to mark your e-mail address as verified at your identity provider \(Acme Industries\), then sign out and sign in again\./);
  assert.match(landed.text, /ask your contact at our company to invite you directly/);
  // acme.test has an IdP of its own: a mailed code is not a way in for her address, so it is not offered.
  assert.doesNotMatch(landed.text, /one-time code/);
  assert.match(landed.text, /action="\/auth\/logout"/, 'she can sign out from the page');
  assert.doesNotMatch(landed.text, /You have not asked for access yet/);
  const refusals = await auditEvents(stack, { action: 'request:create', outcome: 'denied' });
  assert.ok(refusals.some((e) => JSON.parse(e.details).reason.includes('not verified')), 'the refusal is on record with its reason');
});

test('posting a request anyway gets the same page and stores nothing', async () => {
  const uma = new Browser();
  await uma.signIn(stack.appUrl, 'acme', 'uma@acme.test');
  const list = await uma.go(`${stack.appUrl}/requests`);
  assert.equal(list.status, 200);
  assert.match(list.text, /did not confirm your e-mail address/, 'her list says why there is no button');
  const before = await countRows(stack, 'access_requests');
  const post = await uma.submit(list, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'Please let me in, I work at Acme.' });
  assert.equal(post.status, 403);
  assert.match(post.text, /You cannot ask for access with this sign-in/);
  assert.equal(await countRows(stack, 'access_requests'), before);
});

test('in French too', async () => {
  const uma = new Browser({ 'Accept-Language': 'fr' });
  const landed = await uma.signIn(stack.appUrl, 'acme', 'uma@acme.test');
  assert.equal(landed.status, 403);
  assert.match(landed.text, /<html lang="fr"/);
  assert.match(landed.text, /Vous ne pouvez pas demander d’accès avec cette connexion/);
  assert.match(landed.text, /n’a pas confirmé votre adresse e-mail \(uma@acme\.test\)/);
});
