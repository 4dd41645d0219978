// A guest leaves the organization from My access: a page says what will happen and asks to confirm;
// on confirming, every membership ends, the apps she used are told and refuse her, her account is
// turned off (her session ends), her sponsor and she are mailed, and it is on record once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { relyingParty } from '../harness/relyingParty.ts';
import { auditEvents, membershipsOf } from '../harness/stored.ts';
import { idpIdOf, userIdOf } from '../harness/world.ts';
import { leaveOrganization } from '../../src/commands/leaveOrganization.ts';

let stack: Stack;

before(async () => {
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
});
after(async () => {
  await stack?.stop();
});

const refused = (err: unknown) => (err as { error?: string }).error === 'invalid_grant';

async function sponsor(guestId: number, email: string) {
  await stack.db('guest_sponsors').insert({ guest_id: guestId, sponsor_id: await userIdOf(stack, email) });
}

describe('a guest leaves the organization', () => {
  test('Paula confirms on the page: memberships gone, account off, session ended, apps told, sponsor and she mailed, audited once', async () => {
    await buildCatalogItem(stack, { kind: 'app', name: 'Leave Wiki', maxDays: 180 });
    const app = await buildAppClient(stack, { item: 'Leave Wiki' });
    const paulaId = await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Leave Wiki', 'Project Atlas'] });
    await sponsor(paulaId, 'sam.sponsor@passerelle.test');

    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, app);
    const tokens = await rp.signIn(paula);
    assert.ok(tokens.refresh_token);

    // A second browser of hers, on the confirmation page, for the second try below.
    const otherTab = new Browser();
    await otherTab.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const staleConfirm = await otherTab.go(`${stack.appUrl}/access/leave`);

    const access = await paula.go(`${stack.appUrl}/access`);
    assert.match(access.text, /Leave [^<]+…/);
    assert.match(access.text, /href="\/access\/leave"/);

    const confirm = await paula.go(`${stack.appUrl}/access/leave`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Leave Wiki/);
    assert.match(confirm.text, /Project Atlas/);
    assert.match(confirm.text, /Your sponsor is told by e-mail/);
    assert.equal((await membershipsOf(stack, paulaId)).length, 2, 'opening the page changes nothing');

    // Without the confirmation field nothing happens.
    const unconfirmed = await paula.request('POST', `${stack.appUrl}/access/leave`, { _csrf: csrfToken(confirm.text)! });
    assert.equal(unconfirmed.status, 400);
    assert.equal((await membershipsOf(stack, paulaId)).length, 2);

    const done = await paula.submit(confirm, '/access/leave', { confirm: 'yes' });
    assert.equal(done.status, 200);
    assert.match(done.text, /You left /);
    assert.match(done.text, /request access again/);

    assert.deepEqual(await membershipsOf(stack, paulaId), []);
    const user = await stack.db('users').where({ id: paulaId }).first();
    assert.equal(user.state, 'disabled');

    // Signed out: My access asks her to sign in, and signing in again is refused.
    const after = await paula.request('GET', `${stack.appUrl}/access`);
    assert.equal(after.status, 303);
    assert.match(String(after.headers.location), /signIn=1/);

    const refusedSignIn = await new Browser().signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.equal(refusedSignIn.status, 403);
    assert.match(refusedSignIn.text, /has been turned off/);

    const events = await auditEvents(stack, { action: 'guest.left', target: `user:${paulaId}` });
    assert.equal(events.length, 1);
    const details = JSON.parse(events[0].details);
    assert.deepEqual(details.items, ['Leave Wiki', 'Project Atlas']);
    assert.equal(details.membershipsRemoved, 2);
    assert.deepEqual(details.sponsorsTold, ['sam.sponsor@passerelle.test']);

    // The apps are told (one row for every app), and the app she used refuses her refresh token.
    const outbox = await stack.db('outbox').where({ topic: 'app.access_ended' }).select('payload');
    assert.ok(outbox.some((r) => JSON.parse(r.payload).userId === paulaId && JSON.parse(r.payload).itemIds === null));
    await eventually('the app refuses her refresh token', async () => {
      try {
        await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
        return false;
      } catch (err) {
        return refused(err);
      }
    });

    const toSponsor = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /Paula Partner left/.test(m.subject));
    assert.match(toSponsor.text, /paula@acme\.test/);
    assert.match(toSponsor.text, /Leave Wiki, Project Atlas/);
    const toHer = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /^You left/.test(m.subject));
    assert.match(toHer.text, /ask your sponsor/);

    // Her other browser, still on the confirmation page: told she already left, nothing changes.
    const again = await otherTab.submit(staleConfirm, '/access/leave', { confirm: 'yes' });
    assert.equal(again.status, 409);
    assert.match(again.text, /already left/);
    // And the command itself, a second time: a conflict, no second event, no second mail.
    await assert.rejects(leaveOrganization(stack, systemContext(), paulaId), (e: { status?: number }) => e.status === 409);
    assert.equal((await auditEvents(stack, { action: 'guest.left', target: `user:${paulaId}` })).length, 1);
    assert.equal(stack.mail.messages().filter((m) => m.to.includes('sam.sponsor@passerelle.test') && /left/.test(m.subject)).length, 1);
  });

  test('in French: the section, the confirmation, the page after and the mails speak French; no sponsor: the decider of her request is told', async () => {
    const peteId = await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: ['Project Atlas'] });
    await stack.db('users').where({ id: peteId }).update({ locale: 'fr' });
    const sue = await userIdOf(stack, 'sue.sponsor@passerelle.test');
    const org = await stack.db('partner_organizations').first('id');
    await stack.db('access_requests').insert({
      requester_issuer: 'x', requester_subject: 'acme-pete', requester_email: 'pete@acme.test', requester_name: 'Pete Peer',
      identity_provider_id: await idpIdOf(stack, 'acme'), organization_id: org?.id ?? null, justification: 'Working on Atlas.', status: 'provisioned', decided_by: sue,
      decided_at: new Date().toISOString(), guest_user_id: peteId, created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    });

    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const access = await pete.go(`${stack.appUrl}/access`);
    assert.match(access.text, /Quitter /);
    const confirm = await pete.go(`${stack.appUrl}/access/leave`);
    assert.match(confirm.text, /Oui, quitter/);
    const done = await pete.submit(confirm, '/access/leave', { confirm: 'yes' });
    assert.equal(done.status, 200);
    assert.match(done.text, /Vous avez quitté/);
    assert.match(done.text, /redemander un accès/);

    const toHim = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /^Vous avez quitté/.test(m.subject));
    assert.match(toHim.text, /Project Atlas/);
    await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && /Pete Peer/.test(m.subject));
  });
});
