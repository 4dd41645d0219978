// resetRedemption through the Graph-shaped API is an admin-level act. A token that may only invite
// cannot use it to take a redeemed guest over (reset to an address the caller controls, redeem, and
// hold the guest's memberships); no token, and no admin, can use it to bring back a guest who was
// disabled or removed; and a reset that does happen is audited with the old and new address and
// mailed to the guest's previous address and to their sponsors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildApiClient } from '../harness/factories.ts';
import { auditEvents, guestByEmail, userByEmail } from '../harness/stored.ts';
import type { Scope } from '../../src/domain/scopes.ts';

let stack: Stack;
const admin = new Browser();
let paulaId = 0;
let garyId = 0;
let inviteOnly = '';
let resetter = '';

async function token(scopes: Scope[], name: string): Promise<string> {
  return `Bearer ${(await buildApiClient(stack, { name, scopes })).token}`;
}

/** A partner asks for the Partner Wiki, a sponsor approves, the partner redeems: an active guest with a membership and a sponsor. */
async function redeemedGuest(slug: string, email: string, sponsorEmail: string): Promise<number> {
  const partner = new Browser();
  const sponsor = new Browser();
  await sponsor.signIn(stack.appUrl, 'ours', sponsorEmail);
  const { id } = await submitAsPartner(stack, partner, slug, email, ['Partner Wiki']);
  await waitUntilRouted(stack, id);
  await decide(stack, sponsor, id, 'approve');
  const mail = await stack.mail.waitFor((m) => m.to.includes(email) && /invited/i.test(m.subject));
  await partner.go(redeemLink(mail.text));
  const done = await partner.submit(await partner.go(`${stack.appUrl}/redeem`), '/redeem', {});
  assert.match(done.text, /Your access is ready/);
  const user = await guestByEmail(stack, email);
  assert.equal(user.state, 'active');
  return Number(user.id);
}

/** Everything a reset would change: the guest, their identity bindings, memberships, invitations and sponsors. */
async function snapshot(userId: number) {
  const { db } = stack;
  return {
    user: await db('users').where({ id: userId }).first('email', 'state', 'display_name'),
    identities: await db('user_identities').where({ user_id: userId }).orderBy('id').select('issuer', 'subject'),
    memberships: await db('memberships').where({ user_id: userId }).orderBy('item_id').select('item_id', 'expires_at'),
    invitations: await db('invitations').where({ user_id: userId }).orderBy('id').select('id', 'email', 'status'),
    sponsors: await db('guest_sponsors').where({ guest_id: userId }).orderBy('sponsor_id').select('sponsor_id'),
  };
}

const audit = (action: string, target: string) => auditEvents(stack, { action, target });

const api = () => supertest(stack.appUrl);

function reset(bearer: string, userId: number, email: string, sendInvitationMessage = false) {
  return api()
    .post('/v1.0/invitations')
    .set('Authorization', bearer)
    .send({ invitedUserEmailAddress: email, inviteRedirectUrl: `${stack.appUrl}/access`, sendInvitationMessage, resetRedemption: true, invitedUser: { id: String(userId) } });
}

before(async () => {
  stack = await startStack();
  // Paula (Acme) is sponsored by Sam, Gary (Globex) by Sue; both redeemed and hold the Partner Wiki.
  paulaId = await redeemedGuest('acme', 'paula@acme.test', 'sam.sponsor@passerelle.test');
  garyId = await redeemedGuest('globex', 'gary@globex.test', 'sue.sponsor@passerelle.test');
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  inviteOnly = await token(['User.Invite.All'], 'HR onboarding script');
  resetter = await token(['User.Invite.All', 'User.ReadWrite.All'], 'identity team');
});
after(async () => {
  await stack?.stop();
});

describe('taking a guest over with an invitation token', () => {
  test('a User.Invite.All token cannot reset a redeemed guest to an address the caller controls: 403, audited, nothing changes', async () => {
    const before = await snapshot(paulaId);
    stack.mail.clear();
    // Pete, at Acme, holds that token and asks for Paula's account to be re-invited at his own address.
    const res = await reset(inviteOnly, paulaId, 'pete@acme.test');
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'Authorization_RequestDenied');
    assert.match(res.body.error.message, /User\.ReadWrite\.All/);
    assert.match(res.headers['www-authenticate'] ?? '', /insufficient_scope/);
    assert.equal(res.body.inviteRedeemUrl, undefined, 'no link to redeem');

    assert.deepEqual(await snapshot(paulaId), before, 'Paula is still bound to her own identity, with her memberships');
    assert.equal((await audit('guest.redemption_reset', `user:${paulaId}`)).length, 0);
    const [refusal] = await audit('api.authorize', `user:${paulaId}`);
    assert.equal(refusal?.outcome, 'denied');
    assert.equal(refusal.actor_label, 'HR onboarding script');
    assert.match(JSON.parse(refusal.details).reason, /resetRedemption needs User\.ReadWrite\.All/);

    // Paula still signs in with her Acme account and sees her access; Pete gets none of it.
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.match((await paula.go(`${stack.appUrl}/access`)).text, /Partner Wiki/);
    assert.equal(await guestByEmail(stack, 'pete@acme.test'), undefined);
  });

  test('the same token still invites new guests', async () => {
    const res = await api()
      .post('/v1.0/invitations')
      .set('Authorization', inviteOnly)
      .send({ invitedUserEmailAddress: 'olga@newco.test', inviteRedirectUrl: `${stack.appUrl}/access` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'PendingAcceptance');
  });
});

describe('a reset never brings a guest back', () => {
  test('with User.ReadWrite.All, resetting a disabled guest is refused (409), audited, and the guest stays disabled and bound', async () => {
    const disabled = await admin.submit(await admin.go(`${stack.appUrl}/admin/guests/${garyId}`), `/admin/guests/${garyId}/disable`, {});
    assert.match(disabled.text, /guest is disabled/);
    const before = await snapshot(garyId);
    assert.equal(before.user.state, 'disabled');

    for (const email of ['gary@globex.test', 'pete@acme.test']) {
      const res = await reset(resetter, garyId, email);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'Request_Conflict');
      assert.match(res.body.error.message, /disabled/);
    }
    assert.deepEqual(await snapshot(garyId), before);
    const refusals = await audit('guest.redemption_reset', `user:${garyId}`);
    assert.equal(refusals.length, 2);
    for (const r of refusals) {
      assert.equal(r.outcome, 'denied');
      assert.match(JSON.parse(r.details).reason, /disabled/);
    }
    const signIn = await new Browser().signIn(stack.appUrl, 'globex', 'gary@globex.test');
    assert.equal(signIn.status, 403, 'still turned off');
  });

  test('an admin’s reset of a disabled guest is refused the same way, and offered no more', async () => {
    const before = await snapshot(garyId);
    const page = await admin.go(`${stack.appUrl}/admin/guests/${garyId}`);
    assert.ok(!page.text.includes(`/admin/guests/${garyId}/reset`), 'no reset button for a disabled guest');
    const refused = await admin.submit(page, `/admin/guests/${garyId}/reset`, {});
    assert.equal(refused.status, 409);
    assert.match(refused.text, /Enable the guest first/);
    assert.deepEqual(await snapshot(garyId), before);
    assert.equal((await audit('guest.redemption_reset', `user:${garyId}`)).filter((r) => r.outcome === 'success').length, 0);
  });

  test('a removed guest is not reset either', async () => {
    const olga = await userByEmail(stack, 'olga@newco.test');
    await admin.submit(await admin.go(`${stack.appUrl}/admin/guests/${olga.id}`), `/admin/guests/${olga.id}/remove`, {});
    const before = await snapshot(olga.id);
    assert.equal(before.user.state, 'removed');
    const res = await reset(resetter, olga.id, 'olga@newco.test');
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.deepEqual(await snapshot(olga.id), before);
    const [refusal] = await audit('guest.redemption_reset', `user:${olga.id}`);
    assert.equal(refusal?.outcome, 'denied');
  });
});

describe('an admin-level reset that happens', () => {
  test('moving an active guest to a new address is audited with both addresses and mailed to the previous address and the sponsor', async () => {
    stack.mail.clear();
    const before = await snapshot(paulaId);
    const res = await reset(resetter, paulaId, 'paula.partner@acme.test', true);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'PendingAcceptance');
    assert.equal(res.body.invitedUser.id, String(paulaId));
    assert.equal(res.body.invitedUserEmailAddress, 'paula.partner@acme.test');

    const after = await snapshot(paulaId);
    assert.deepEqual(after.user, { ...before.user, email: 'paula.partner@acme.test', state: 'invited' });
    assert.deepEqual(after.identities, [], 'the old binding is gone');
    assert.deepEqual(after.memberships, before.memberships, 'memberships wait for the next redemption');

    const [event] = await audit('guest.redemption_reset', `user:${paulaId}`);
    assert.equal(event.outcome, 'success');
    assert.equal(event.actor_type, 'api');
    assert.equal(event.actor_label, 'identity team');
    const details = JSON.parse(event.details);
    assert.equal(details.previousEmail, 'paula@acme.test');
    assert.equal(details.newEmail, 'paula.partner@acme.test');
    assert.equal(details.identitiesUnbound, 1);

    const toPaula = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /reset/.test(m.subject));
    assert.equal(toPaula.subject, 'Your guest access was reset');
    assert.match(toPaula.text, /identity team reset your guest access and sent a new invitation to another address/);
    assert.ok(!toPaula.text.includes('paula.partner@acme.test'), 'the old mailbox is not told where the invitation went');
    assert.ok(!/\/redeem\//.test(toPaula.text), 'and gets no link');

    const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /reset/.test(m.subject));
    assert.equal(toSam.subject, 'The guest access of Paula Partner was reset');
    assert.match(toSam.text, /Previous address: paula@acme\.test/);
    assert.match(toSam.text, /New invitation sent to: paula\.partner@acme\.test/);
    assert.ok(!/\/redeem\//.test(toSam.text));
    // The invitation itself went to the new address, and the notices did not spend its link.
    const invitation = await stack.mail.waitFor((m) => m.to.includes('paula.partner@acme.test') && /invite/i.test(m.subject));
    for (const link of [redeemLink(invitation.text), res.body.inviteRedeemUrl]) {
      const landing = await new Browser().go(link);
      assert.equal(landing.status, 200, landing.text.slice(0, 300));
      assert.match(landing.text, /You are invited/);
    }

    // The notices are queued in the reset's own transaction: the queue says who else was told.
    const told = await stack.db('mail_messages').where('dedupe_key', 'like', `reset:${res.body.id}:%`).orderBy('to_address').pluck('to_address');
    assert.deepEqual(told, ['paula@acme.test', 'sam.sponsor@passerelle.test'], 'Gary’s sponsor is not told about Paula');
  });
});
