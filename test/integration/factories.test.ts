// The test factories make rows the product takes for its own: each built thing is used through the
// real app (a page, the API, the worker) the way one made by people would be.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { waitUntilRouted } from '../harness/flows.ts';
import {
  buildAccessRequest,
  buildApiClient,
  buildCatalogItem,
  buildGuest,
  buildIdentityProvider,
  buildInvitation,
  buildMember,
  buildOrganization,
  buildOutboxRow,
} from '../harness/factories.ts';
import { approversOf, guestByEmail, membershipsOf, requestRow } from '../harness/stored.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test('an organization with its own IdP, a new sponsor and auto-approve: its partner’s request is approved and provisioned without a decision', async () => {
  await buildIdentityProvider(stack, { slug: 'initrode', emailDomains: ['initrode.test'] });
  await buildMember(stack, { email: 'nora.sponsor@passerelle.test', name: 'Nora Sponsor' });
  await buildOrganization(stack, { name: 'Initrode', domains: ['initrode.test'], identityProvider: 'initrode', sponsors: ['nora.sponsor@passerelle.test'], autoApprove: ['Project Atlas'] });
  const id = await buildAccessRequest(stack, { requester: 'ivan@initrode.test', items: ['Project Atlas'] });
  await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned');
  const mail = await stack.mail.waitFor((m) => m.to.includes('ivan@initrode.test') && /invited/i.test(m.subject));
  assert.match(mail.text, /Project Atlas/);
});

test('a request for a self-service item is routed to its owner; one left for the route job is routed by the worker', async () => {
  const ownerId = await buildMember(stack, { email: 'otto.owner@passerelle.test' });
  await buildCatalogItem(stack, { name: 'Gearbox Lab', owners: ['otto.owner@passerelle.test'], selfService: true });
  const routed = await buildAccessRequest(stack, { items: ['Gearbox Lab'] });
  assert.deepEqual((await approversOf(stack, routed)).map((a) => Number(a.user_id)), [ownerId]);
  const later = await buildAccessRequest(stack, { requester: 'pete@acme.test', items: ['Gearbox Lab'], routed: false });
  assert.equal((await requestRow(stack, later)).routed_at, null);
  await waitUntilRouted(stack, later);
  assert.deepEqual((await approversOf(stack, later)).map((a) => Number(a.user_id)), [ownerId]);
});

test('a guest with memberships, an invitation whose link opens, an API client whose token works, an outbox row the relay publishes', async () => {
  const guestId = await buildGuest(stack, { email: 'gwen@newco.test', memberships: ['Partner Wiki', 'Quality Reviews'] });
  assert.equal((await guestByEmail(stack, 'gwen@newco.test')).state, 'invited');
  assert.equal((await membershipsOf(stack, guestId)).length, 2);

  await buildInvitation(stack, { email: 'ines@newco.test', items: ['Supplier Portal'], message: 'Welcome!' });
  const mail = await stack.mail.waitFor((m) => m.to.includes('ines@newco.test'));
  assert.equal((await new Browser().go(redeemLink(mail.text))).status, 200);

  const { token } = await buildApiClient(stack, { scopes: ['User.Read.All'] });
  assert.equal((await supertest(stack.appUrl).get('/v1.0/users').set('Authorization', `Bearer ${token}`)).status, 200);

  const outboxId = await buildOutboxRow(stack, 'request.submitted', { requestId: 999999 });
  await eventually('the outbox row published', async () => (await stack.db('outbox').where({ id: outboxId }).first())?.published_at);
});
