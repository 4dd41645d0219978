// Invitations made through the Graph-shaped API are redeemed in the browser exactly like those a
// sponsor's approval makes: the mailed link or the returned inviteRedeemUrl, sign-in at the
// partner's own IdP, review, accept, land on inviteRedirectUrl; the API then reports the guest as
// Accepted. Inviting a redeemed guest again answers Completed; resetRedemption makes them redeem again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink, type Page } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { buildApiClient } from '../harness/factories.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let bearer = '';
let redirect = '';

before(async () => {
  stack = await startStack();
  redirect = `${stack.appUrl}/access`;
  // User.ReadWrite.All: the resetRedemption test below resets a guest, an admin-level act.
  const scopes = ['User.Invite.All', 'User.Read.All', 'GroupMember.ReadWrite.All', 'User.ReadWrite.All'] as const;
  bearer = `Bearer ${(await buildApiClient(stack, { name: 'partner onboarding', scopes: [...scopes] })).token}`;
});
after(async () => {
  await stack?.stop();
});

const api = () => supertest(stack.appUrl);

async function invite(body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await api().post('/v1.0/invitations').set('Authorization', bearer).send({ inviteRedirectUrl: redirect, ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function user(id: string): Promise<Record<string, any>> {
  const res = await api().get(`/v1.0/users/${id}`).set('Authorization', bearer);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/**
 * The invitee opens the link signed out, follows "Continue with <their IdP>" to sign in, reviews
 * and accepts; returns the review page and the page they land on.
 */
async function redeem(link: string, slug: string, email: string, idpName: string): Promise<{ review: Page; landed: Page }> {
  const browser = new Browser();
  const landing = await browser.go(link);
  assert.equal(landing.status, 200, landing.text.slice(0, 300));
  assert.match(landing.text, /You are invited/);
  assert.ok(landing.text.includes(`href="/auth/${slug}?returnTo=%2Fredeem"`), `the landing page offers ${idpName}`);
  assert.match(landing.text, new RegExp(`Continue with ${idpName}`));
  const review = await browser.signIn(stack.appUrl, slug, email, DEMO_PASSWORD, '/redeem');
  assert.equal(review.status, 200, review.text.slice(0, 300));
  assert.equal(review.url, `${stack.appUrl}/redeem`);
  assert.match(review.text, /Review permissions/);
  assert.ok(review.text.includes(email), 'the review names the signed-in account');
  const landed = await browser.submit(review, '/redeem', {});
  return { review, landed };
}

describe('an invitation made through the API is redeemed like a sponsor’s', () => {
  let garyId = '';
  let mailedLink = '';
  let returnedLink = '';

  test('with sendInvitationMessage: the mailed link, sign-in at Globex, review, accept, land on inviteRedirectUrl; the API then says Accepted', async () => {
    const started = new Date().toISOString();
    const inv = await invite({
      invitedUserEmailAddress: 'gary@globex.test',
      invitedUserDisplayName: 'Gary Guest',
      sendInvitationMessage: true,
      invitedUserMessageInfo: { customizedMessageBody: 'Welcome to the Atlas programme, Gary.' },
    });
    assert.equal(inv.status, 'PendingAcceptance');
    garyId = inv.invitedUser.id;
    returnedLink = inv.inviteRedeemUrl;
    assert.equal((await user(garyId)).externalUserState, 'PendingAcceptance');

    // Given a group through the API before redeeming, as a sponsor's approval gives the requested items.
    const [atlasId] = await catalogIds(stack, ['Project Atlas']);
    const added = await api()
      .post(`/v1.0/groups/${atlasId}/members/$ref`)
      .set('Authorization', bearer)
      .send({ '@odata.id': `${stack.appUrl}/v1.0/directoryObjects/${garyId}` });
    assert.equal(added.status, 204, JSON.stringify(added.body));

    const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && /invites you/.test(m.subject));
    assert.match(mail.text, /Welcome to the Atlas programme, Gary\./);
    mailedLink = redeemLink(mail.text);
    assert.ok(mailedLink.startsWith(`${stack.appUrl}/redeem/`));

    const { review, landed } = await redeem(mailedLink, 'globex', 'gary@globex.test', 'Globex');
    assert.match(review.text, /Project Atlas/);
    assert.equal(landed.status, 200, landed.text.slice(0, 300));
    assert.equal(landed.url, redirect, 'landed on inviteRedirectUrl');
    assert.match(landed.text, /My access/);
    assert.match(landed.text, /Project Atlas/);

    const after = await user(garyId);
    assert.equal(after.externalUserState, 'Accepted');
    assert.equal(after.accountEnabled, true);
    assert.ok(after.externalUserStateChangeDateTime >= started, `${after.externalUserStateChangeDateTime} is the redemption time`);
  });

  test('the mailed link and the returned inviteRedeemUrl were one invitation: both are spent', async () => {
    for (const link of [mailedLink, returnedLink]) {
      const page = await new Browser().go(link);
      assert.equal(page.status, 404, link);
      assert.match(page.text, /not valid/);
    }
  });

  test('inviting the redeemed guest again answers Completed with the same user, and sends nothing', async () => {
    const invitations = async () => Number((await stack.db('invitations').where({ user_id: Number(garyId) }).count({ n: '*' }))[0].n);
    const before = await invitations();
    const mailsBefore = stack.mail.messages().filter((m) => m.to.includes('gary@globex.test')).length;
    const asked = new Date().toISOString();
    const again = await invite({ invitedUserEmailAddress: 'Gary@Globex.test', sendInvitationMessage: true });
    assert.equal(again.status, 'Completed');
    assert.equal(again.invitedUser.id, garyId);
    assert.doesNotMatch(again.inviteRedeemUrl, /\/redeem\//, 'no new link for someone who already redeemed');
    assert.equal(await invitations(), before, 'no new invitation');
    await eventually('mail queued since the invitation sent', async () => !(await stack.db('mail_messages').where('created_at', '>=', asked).whereNot({ status: 'sent' }).first()));
    assert.equal(stack.mail.messages().filter((m) => m.to.includes('gary@globex.test')).length, mailsBefore);
    assert.equal((await user(garyId)).externalUserState, 'Accepted');
  });

  test('resetRedemption with invitedUser.id: the guest is pending again and redeems with the new link', async () => {
    const reset = await invite({ invitedUserEmailAddress: 'gary@globex.test', resetRedemption: true, invitedUser: { id: garyId } });
    assert.equal(reset.status, 'PendingAcceptance');
    assert.equal(reset.resetRedemption, true);
    assert.equal(reset.invitedUser.id, garyId, 'the same guest');
    assert.match(reset.inviteRedeemUrl, /\/redeem\/[A-Za-z0-9_-]{43}$/);
    assert.notEqual(reset.inviteRedeemUrl, returnedLink);
    assert.equal((await user(garyId)).externalUserState, 'PendingAcceptance');

    const { review, landed } = await redeem(reset.inviteRedeemUrl, 'globex', 'gary@globex.test', 'Globex');
    assert.match(review.text, /Project Atlas/, 'the memberships survive the reset');
    assert.equal(landed.url, redirect);
    assert.match(landed.text, /Project Atlas/);
    assert.equal((await user(garyId)).externalUserState, 'Accepted');
    assert.equal((await new Browser().go(reset.inviteRedeemUrl)).status, 404, 'spent');
  });
});

describe('an invitation handed over by the caller (sendInvitationMessage: false)', () => {
  test('the returned inviteRedeemUrl redeems at Acme, and no mail is ever sent', async () => {
    const started = new Date().toISOString();
    const inv = await invite({ invitedUserEmailAddress: 'pete@acme.test', sendInvitationMessage: false });
    assert.equal(inv.status, 'PendingAcceptance');
    assert.equal(inv.sendInvitationMessage, false);
    assert.ok(inv.inviteRedeemUrl.startsWith(`${stack.appUrl}/redeem/`), inv.inviteRedeemUrl);

    const { landed } = await redeem(inv.inviteRedeemUrl, 'acme', 'pete@acme.test', 'Acme Industries');
    assert.equal(landed.status, 200, landed.text.slice(0, 300));
    assert.equal(landed.url, redirect);
    assert.match(landed.text, /My access/);
    assert.equal((await user(inv.invitedUser.id)).externalUserState, 'Accepted');

    // Whatever this test queued has gone out by now, so the catcher would hold a mail to Pete.
    await eventually('mail queued since the invitation sent', async () => !(await stack.db('mail_messages').where('created_at', '>=', started).whereNot({ status: 'sent' }).first()));
    assert.deepEqual(stack.mail.messages().filter((m) => m.to.includes('pete@acme.test')), []);
    assert.deepEqual(await stack.db('mail_messages').where({ to_address: 'pete@acme.test' }), [], 'none was queued either');
  });
});
