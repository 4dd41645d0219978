// Audit entries that cannot mislead (issue 14, finding 7): a caller's X-Request-Id never becomes the
// correlation id (it could file a caller's own events under an admin action's id), and what an IdP or
// a browser writes into a callback's `error_description` is kept apart, bounded and cleaned. (Actors
// named by what was proved, not by a claimed address: idp-authority.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { startSignIn } from '../harness/oidcHops.ts';
import { buildApiClient } from '../harness/factories.ts';
import { auditEvent, lastAuditEvent } from '../harness/stored.ts';

let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('a caller cannot choose the correlation id: an admin action’s id sent back is kept apart, cleaned', async () => {
  const ada = new Browser();
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  const adminEvent = await lastAuditEvent(stack, { action: 'auth.signed_in' });
  const adminId = adminEvent.correlation_id as string;

  // A form POST without a CSRF token is a refusal, audited under this request's correlation id.
  const forged = await supertest(stack.appUrl).post('/requests').set('X-Request-Id', adminId).type('form').send('justification=x');
  assert.equal(forged.status, 403);
  const ourId = String(forged.headers['x-request-id']);
  assert.notEqual(ourId, adminId, 'the response names the id Passerelle made');
  const event = await lastAuditEvent(stack, { action: 'csrf' });
  assert.equal(event.correlation_id, ourId);
  assert.equal(await auditEvent(stack, { correlation_id: adminId, action: 'csrf' }), undefined, 'nothing of the caller’s filed under the admin’s id');
  assert.equal(JSON.parse(event.details).clientRequestId, adminId.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 64), 'the caller’s own reference is kept as such');

  const hostile = await supertest(stack.appUrl).post('/requests').set('X-Request-Id', `${'a'.repeat(80)}<img src=x>" ; DROP`).type('form').send('justification=x');
  const hostileEvent = await auditEvent(stack, { correlation_id: String(hostile.headers['x-request-id']) });
  const kept = JSON.parse(hostileEvent.details).clientRequestId as string;
  assert.ok(kept.length <= 64 && /^[A-Za-z0-9._:-]+$/.test(kept), `cleaned and short: ${kept}`);
});

test('the API keeps a client-request-id apart too, and answers it back in Graph’s innerError', async () => {
  const { token } = await buildApiClient(stack, { name: 'reader', scopes: ['User.Read.All'] });
  const res = await supertest(stack.appUrl).get('/v1.0/auditLogs/directoryAudits').set('Authorization', `Bearer ${token}`).set('client-request-id', 'cli-7f3e');
  assert.equal(res.status, 403, 'a scope it does not hold');
  assert.equal(res.body.error.innerError['client-request-id'], 'cli-7f3e');
  assert.notEqual(res.body.error.innerError['request-id'], 'cli-7f3e');
  const event = await auditEvent(stack, { correlation_id: res.body.error.innerError['request-id'] });
  assert.equal(JSON.parse(event.details).clientRequestId, 'cli-7f3e');
});

test('an error_description in a callback is stored apart, marked as remote, one line and bounded', async () => {
  const b = new Browser();
  const auth = await startSignIn(b, stack.appUrl, 'acme');
  const lie = `Access granted by ada.admin@passerelle.test\n\u001b[31mseq 1 verified\r\n${'x'.repeat(5000)}`;
  const callback = new URL(`${stack.appUrl}/auth/acme/callback`);
  callback.searchParams.set('error', 'access_denied');
  callback.searchParams.set('error_description', lie);
  callback.searchParams.set('state', String(auth.searchParams.get('state')));
  callback.searchParams.set('iss', stack.issuers.acme.issuer);
  const page = await b.request('GET', callback.toString());
  assert.equal(page.status, 401);
  const event = await lastAuditEvent(stack, { action: 'auth.sign_in', outcome: 'failure' });
  const details = JSON.parse(event.details);
  assert.match(details.error, /access_denied/, 'the OAuth error code names the failure');
  assert.ok(!details.error.includes('ada.admin'), 'the remote text is not part of our own message');
  assert.equal(details.remote.error, 'access_denied');
  assert.ok(details.remote.description.length <= 200, 'bounded');
  assert.doesNotMatch(details.remote.description, /[\n\r\u001b]/, 'one line, no control characters');
  assert.ok(event.details.length < 1000);
});
