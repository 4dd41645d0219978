// The API's rate limits: per API client whatever address it claims, and per client address before any
// token is checked. A limited call gets Graph's 429 body and a Retry-After header.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { buildApiClient } from '../harness/factories.ts';
import { auditEvents } from '../harness/stored.ts';

let stack: Stack;
let n = 0;
const freshAddress = () => `198.51.100.${++n % 250}`;

before(async () => {
  // One proxy hop is trusted, so X-Forwarded-For decides the client address, as behind a load balancer.
  stack = await startStack({ env: { RATE_LIMIT_API_PER_MINUTE: '5', TRUST_PROXY: '1' } });
});
after(async () => {
  await stack?.stop();
});

test('one API client is limited however many addresses it calls from', async () => {
  const { token } = await buildApiClient(stack, { name: 'busy script', scopes: ['User.Read.All'] });
  const statuses: number[] = [];
  let limited: supertest.Response | undefined;
  for (let i = 0; i < 7; i++) {
    const res = await supertest(stack.appUrl).get('/v1.0/users').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', freshAddress());
    statuses.push(res.status);
    if (res.status === 429) limited = res;
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const events = await auditEvents(stack, { action: 'rate_limit', target: 'limit:api-client', outcome: 'denied' });
  assert.equal(events.length, 1);
  assert.equal(events[0].actor_label, 'busy script');
  assert.equal(limited!.body.error.code, 'TooManyRequests');
  assert.ok(Number(limited!.headers['retry-after']) > 0, 'Retry-After is set');
  // Another client is not slowed down by the first one.
  const other = await buildApiClient(stack, { name: 'quiet script', scopes: ['User.Read.All'] });
  assert.equal((await supertest(stack.appUrl).get('/v1.0/users').set('Authorization', `Bearer ${other.token}`).set('X-Forwarded-For', freshAddress())).status, 200);
});

test('one address guessing tokens is limited before any token is looked up', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await supertest(stack.appUrl).get('/v1.0/users').set('Authorization', `Bearer psr_${String(i).padStart(43, 'x')}`).set('X-Forwarded-For', '192.0.2.77');
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  // The first refusal of the window is on record (once, not once per call).
  const events = await auditEvents(stack, { action: 'rate_limit', target: 'limit:api', outcome: 'denied', ip: '192.0.2.77' });
  assert.equal(events.length, 1);
});
