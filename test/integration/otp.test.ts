import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { expireCodes } from '../harness/rowEdits.ts';
import { auditEvents, requestOf } from '../harness/stored.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function askForCode(b: Browser, email: string) {
  const home = await b.go(`${stack.appUrl}/`);
  return b.submit(home, '/auth/discover', { email });
}

function codeFrom(text: string): { code: string; link: string } {
  const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(text)?.[1];
  const link = /(https?:\/\/\S+\/auth\/email-code\/verify\?\S+)/.exec(text)?.[1];
  assert.ok(code && link, `no code in: ${text}`);
  return { code: code!, link: link! };
}

test('a partner whose domain has no IdP signs in with a one-time code sent by e-mail', async () => {
  const b = new Browser();
  const page = await askForCode(b, 'Olga@Nowhere-Corp.test');
  assert.equal(page.status, 200);
  assert.match(page.text, /We sent a sign-in code to olga@nowhere-corp.test/);
  const mail = await stack.mail.waitFor((m) => m.to.includes('olga@nowhere-corp.test'));
  const { code } = codeFrom(mail.text);
  const signedIn = await b.submit(page, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code: code.toLowerCase().replace(/-/g, ' ') });
  assert.equal(signedIn.status, 200);
  assert.ok(signedIn.url.endsWith('/requests'), signedIn.url);
  assert.match(signedIn.text, /olga@nowhere-corp.test/);
  // The same code does not work twice.
  const again = await b.go(`${stack.appUrl}/`);
  const reused = await b.submit(again, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code });
  assert.equal(reused.status, 401);
  assert.match(reused.text, /This code is not valid/);
});

test('only a hash of the code is stored, and the mail link shows a form without consuming the code', async () => {
  const b = new Browser();
  await askForCode(b, 'max@nowhere-corp.test');
  const mail = await stack.mail.waitFor((m) => m.to.includes('max@nowhere-corp.test'));
  const { code, link } = codeFrom(mail.text);
  const rows = await stack.db('one_time_codes').where({ email: 'max@nowhere-corp.test' });
  assert.equal(rows.length, 1);
  assert.match(rows[0].code_hash, /^[0-9a-f]{64}$/);
  const dump = JSON.stringify(await stack.db('mail_messages').select('text_body', 'html_body'));
  assert.ok(!dump.includes(code), 'the code is not in the database');
  const scanner = await new Browser().go(link);
  assert.equal(scanner.status, 200);
  assert.match(scanner.text, /Sign in as max@nowhere-corp.test/);
  const confirmed = await b.submit(await b.go(link), '/auth/email-code/verify', { email: 'max@nowhere-corp.test', code });
  assert.ok(confirmed.url.endsWith('/requests'), confirmed.url);
});

test('a wrong code, a code for another address and an expired code are all refused alike', async () => {
  const b = new Browser();
  const page = await askForCode(b, 'eve@nowhere-corp.test');
  const mail = await stack.mail.waitFor((m) => m.to.includes('eve@nowhere-corp.test'));
  const { code } = codeFrom(mail.text);
  const wrong = await b.submit(page, '/auth/email-code/verify', { email: 'eve@nowhere-corp.test', code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAAA' });
  const other = await b.submit(page, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code });
  await expireCodes(stack, 'eve@nowhere-corp.test');
  const expired = await b.submit(page, '/auth/email-code/verify', { email: 'eve@nowhere-corp.test', code });
  for (const res of [wrong, other, expired]) {
    assert.equal(res.status, 401);
    assert.match(res.text, /This code is not valid/);
  }
  assert.equal((await auditEvents(stack, { action: 'auth.code_used', outcome: 'failure' })).length >= 3, true);
});

test('codes are rate limited per address', async () => {
  const b = new Browser();
  for (let i = 0; i < 3; i++) assert.equal((await askForCode(b, 'spam@nowhere-corp.test')).status, 200);
  const fourth = await askForCode(b, 'spam@nowhere-corp.test');
  assert.equal(fourth.status, 429);
  assert.match(fourth.text, /Several codes were sent to this address recently/);
});

test('a partner signed in with a code can ask for access like anyone else', async () => {
  const b = new Browser();
  const page = await askForCode(b, 'nina@nowhere-corp.test');
  const mail = await stack.mail.waitFor((m) => m.to.includes('nina@nowhere-corp.test'));
  await b.submit(page, '/auth/email-code/verify', { email: 'nina@nowhere-corp.test', code: codeFrom(mail.text).code });
  const form = await b.go(`${stack.appUrl}/requests/new`);
  assert.equal(form.status, 200);
  const wiki = await stack.db('catalog_items').where({ name: 'Partner Wiki' }).first();
  const done = await b.submit(form, '/requests', { items: String(wiki.id), justification: 'Freelance translator for the wiki.' });
  assert.match(done.text, /Your request was submitted/);
  const request = await requestOf(stack, 'nina@nowhere-corp.test');
  assert.equal(request.requester_issuer, 'urn:passerelle:email-code');
  assert.equal(request.requester_subject, 'nina@nowhere-corp.test');
});
