import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { editIdpRow } from '../harness/rowEdits.ts';

const exec = promisify(execFile);
let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('a denied partner is told why by e-mail and on the request page', async () => {
  const gary = new Browser();
  const { id } = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', ['Supplier Portal']);
  await waitUntilRouted(stack, id);
  const sue = new Browser();
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  const page = await decide(stack, sue, id, 'deny', 'Globex has no supplier contract with us yet.');
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`Request #${id} denied`));
  const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && /denied/.test(m.subject));
  assert.match(mail.text, /no supplier contract/);
  assert.match(mail.text, /Supplier Portal/);
  const mine = await gary.go(`${stack.appUrl}/requests/${id}`);
  assert.match(mine.text, /Denied/);
  assert.match(mine.text, /no supplier contract/);
  assert.equal(await stack.db('invitations').where({ email: 'gary@globex.test' }).first(), undefined);
});

test('with e-mail codes switched off, a domain no IdP serves gets a clear answer instead of a redirect', async () => {
  await editIdpRow(stack, 'email-code', { enabled: false });
  try {
    const b = new Browser();
    const home = await b.go(`${stack.appUrl}/`);
    const page = await b.submit(home, '/auth/discover', { email: 'someone@unknown.example' });
    assert.equal(page.status, 404);
    assert.match(page.text, /No sign-in is set up for unknown.example/);
    const bad = await b.submit(home, '/auth/discover', { email: 'not an e-mail' });
    assert.equal(bad.status, 400);
  } finally {
    await editIdpRow(stack, 'email-code', { enabled: true });
  }
});

test('sign-out ends the session on the server', async () => {
  const b = new Browser();
  await b.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  const requests = await b.go(`${stack.appUrl}/requests`);
  assert.equal(requests.status, 200);
  const out = await b.submit(requests, '/auth/logout', {});
  assert.match(out.text, /You are signed out/);
  const again = await b.go(`${stack.appUrl}/requests`);
  assert.ok(again.url.endsWith('/?signIn=1'), 'sent back to the home page');
  assert.match(again.text, /Please sign in first/);
});

test('passerelle admin grant makes a member an administrator who can then read the audit log', async () => {
  const { stdout } = await exec(process.execPath, ['bin/passerelle.js', 'admin', 'grant', 'sam.sponsor@passerelle.test'], {
    env: { ...process.env, DATABASE_URL: stack.config.databaseUrl },
  });
  assert.match(stdout, /is an administrator/);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const page = await sam.go(`${stack.appUrl}/admin/audit?action=admin.granted`);
  assert.equal(page.status, 200);
  assert.match(page.text, /admin\.granted/);
});

test('a bad configuration value is named at start-up', async () => {
  const result = await exec(process.execPath, ['bin/passerelle.js', 'migrate'], {
    env: { ...process.env, DATABASE_URL: 'mysql://nope', PORT: 'eighty' },
  }).catch((e) => e as { code: number; stderr: string });
  assert.equal((result as { code: number }).code, 1);
  assert.match((result as { stderr: string }).stderr, /DATABASE_URL: must start with sqlite: or postgres:\/\//);
  assert.match((result as { stderr: string }).stderr, /PORT/);
});
