// History kept forever (issue 18, point 9): a request's whole story — the question and its answer,
// the decision, the provisioning — stays readable by the people who may see the request and by the
// admins, after the access it granted ended, and after its guest was disabled then removed for having
// nothing left. Real worker, Redis and mail; the clock moved past each step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildApiClient, buildCatalogItem } from '../harness/factories.ts';
import { auditEvents, guestByEmail, requestRow } from '../harness/stored.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';

const DAY = 86_400_000;
let stack: Stack;

before(async () => {
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
});
after(async () => {
  setClockOffsetMs(0);
  await stack?.stop();
});

describe('history kept forever', () => {
  test('the question, the answer and the decision stay readable after the access ended and the guest was removed', async () => {
    await buildCatalogItem(stack, { name: 'Ten-Day Sprint', maxDays: 10 });
    const paula = new Browser();
    const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Ten-Day Sprint']);
    await waitUntilRouted(stack, id);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const asked = await sam.submit(await sam.go(`${stack.appUrl}/inbox/${id}`), `/inbox/${id}/question`, { question: 'Which sprint is this for?' });
    assert.equal(asked.status, 200, asked.text.slice(0, 300));
    const reqPage = await paula.go(`${stack.appUrl}/requests/${id}`);
    const answered = await paula.submit(reqPage, `/requests/${id}/answer`, { answer: 'The gearbox sprint in March.' });
    assert.equal(answered.status, 200, answered.text.slice(0, 300));
    const decided = await decide(stack, sam, id, 'approve');
    assert.equal(decided.status, 200);
    await eventually('provisioned', async () => (await requestRow(stack, id))?.status === 'provisioned');
    const guestId = Number((await guestByEmail(stack, 'paula@acme.test')).id);

    try {
      // Eleven days: the access ended. Forty-two: the guest with nothing left is disabled (after 30
      // days). A hundred and thirty-two: removed (90 days after that).
      setClockOffsetMs(11 * DAY);
      await eventually('the access ended', async () => (await auditEvents(stack, { action: 'membership.expired', target: `user:${guestId}` })).length === 1);
      setClockOffsetMs(42 * DAY);
      await eventually('the guest disabled', async () => (await guestByEmail(stack, 'paula@acme.test')).state === 'disabled');
      setClockOffsetMs(132 * DAY);
      await eventually('the guest removed', async () => (await guestByEmail(stack, 'paula@acme.test')).state === 'removed');
    } finally {
      setClockOffsetMs(0);
    }

    // The sponsor who decided, and an admin, still read the whole story on the request's page.
    const ada = new Browser();
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    for (const [who, browser] of [['the sponsor', sam], ['an admin', ada]] as const) {
      const page = await browser.go(`${stack.appUrl}/inbox/${id}`);
      assert.equal(page.status, 200, `${who}: ${page.text.slice(0, 300)}`);
      assert.match(page.text, /Which sprint is this for\?/, `${who} reads the question`);
      assert.match(page.text, /The gearbox sprint in March\./, `${who} reads the answer`);
      assert.match(page.text, /Ten-Day Sprint/);
      assert.match(page.text, /Approved/, `${who} reads the decision`);
    }
    // The request's events are all still in the audit log, and its filtered page opens.
    const log = await ada.go(`${stack.appUrl}/admin/audit?target=${encodeURIComponent(`request:${id}`)}`);
    assert.equal(log.status, 200);
    for (const action of ['request.submitted', 'request.info_requested', 'request.info_provided', 'request.approved', 'request.provisioned']) {
      assert.equal((await auditEvents(stack, { action, target: `request:${id}` })).length, 1, action);
    }
    // Paula herself, signing in again with her own identity, reads her request.
    const again = new Browser();
    await again.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const own = await again.go(`${stack.appUrl}/requests/${id}`);
    assert.equal(own.status, 200);
    assert.match(own.text, /Which sprint is this for\?/);
    assert.match(own.text, /The gearbox sprint in March\./);
    assert.match(own.text, /Approved/);
    // The API still answers for the request, as provisioned.
    const { token } = await buildApiClient(stack, { scopes: ['AccessRequest.Read.All'] });
    const api = await supertest(stack.appUrl).get(`/v1.0/accessRequests/${id}`).set('authorization', `Bearer ${token}`);
    assert.equal(api.status, 200, api.text);
    assert.equal(api.body.status, 'provisioned');
  });
});
