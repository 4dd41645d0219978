// Invitations that expire visibly (issue 18, point 6): a pending invitation past its expiry is marked
// expired by the worker's sweep, once, audited; whoever invited is told by mail in their language, with
// a link to the guest's page; an admin resends from that page, which issues a fresh invitation; and the
// partner following the expired link gets the page every unusable link gets, saying so and offering to
// ask again. Time passing is a row edit (rowEdits.expireInvitations), the sweep the real worker's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildCatalogItem, buildInvitation, systemContext } from '../harness/factories.ts';
import { auditEvents, invitationsOf, userByEmail } from '../harness/stored.ts';
import { expireInvitations } from '../harness/rowEdits.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { expireDueInvitations } from '../../src/commands/expireInvitations.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { setUserLocale } from '../../src/db/users.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';

let stack: Stack;
const admin = new Browser();

before(async () => {
  // A sweep several times a second, so that the test waits on events, not minutes.
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

const mailsTo = (to: string) => stack.mail.messages().filter((m) => m.to.includes(to));
const redeemLinkIn = (text: string) => /https?:\/\/\S+\/redeem\/[A-Za-z0-9_-]+/.exec(text)?.[0];

describe('invitations that expire visibly', () => {
  test('the sweep marks expired invitations once, tells the inviter in their language, and an admin resends from the guest’s page', async () => {
    // Sam, a member who reads French, invites Olga; Ada, an admin, invites Vera.
    const samId = Number((await userByEmail(stack, 'sam.sponsor@passerelle.test')).id);
    await inTransaction(stack.db, (trx) => setUserLocale(trx, samId, 'fr')); // Sam chose French on his profile
    const olga = await buildInvitation(stack, { email: 'olga@newco.test', invitedBy: 'sam.sponsor@passerelle.test' });
    const vera = await buildInvitation(stack, { email: 'vera@newco.test' });
    const veraMail = await stack.mail.waitFor((m) => m.to.includes('vera@newco.test') && /\/redeem\//.test(m.text));
    const veraLink = redeemLinkIn(veraMail.text)!;
    assert.ok(veraLink, veraMail.text);
    await stack.mail.waitFor((m) => m.to.includes('olga@newco.test') && /\/redeem\//.test(m.text));

    // Fourteen days pass.
    await expireInvitations(stack, { email: 'vera@newco.test' });
    await expireInvitations(stack, { email: 'olga@newco.test' });

    await eventually('both invitations marked expired by the sweep', async () => {
      const all = [...(await invitationsOf(stack, vera.guestId)), ...(await invitationsOf(stack, olga.guestId))];
      return all.length === 2 && all.every((i) => i.status === 'expired');
    });

    // Ada is told in English, with a link to Vera's page; Sam in French.
    const toAda = await stack.mail.waitFor((m) => m.to.includes('ada.admin@passerelle.test') && /vera@newco\.test/.test(m.subject));
    assert.equal(toAda.subject, 'The invitation to vera@newco.test expired unused');
    assert.match(toAda.text, /can be sent again from the guest’s page/);
    assert.ok(toAda.text.includes(`${stack.config.publicUrl}/admin/guests/${vera.guestId}`), toAda.text);
    const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /olga@newco\.test/.test(m.subject));
    assert.equal(toSam.subject, 'L’invitation envoyée à olga@newco.test a expiré sans être acceptée');
    assert.match(toSam.text, /peut être renvoyée depuis la fiche de l’invité/);
    assert.ok(toSam.text.includes(`${stack.config.publicUrl}/owner`), toSam.text);

    // The sweep goes on running, and the command run twice more by hand: still one expiry each, one mail each.
    await expireDueInvitations(stack, systemContext());
    await expireDueInvitations(stack, systemContext());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const inv of [vera, olga]) {
      const events = await auditEvents(stack, { action: 'invitation.expired', target: `invitation:${inv.invitationId}` });
      assert.equal(events.length, 1, 'audited once');
      assert.equal(events[0].actor_type, 'system');
    }
    assert.equal(mailsTo('ada.admin@passerelle.test').filter((m) => /vera@newco\.test/.test(m.subject)).length, 1);
    assert.equal(mailsTo('sam.sponsor@passerelle.test').length, 1);

    // Vera follows her expired link: the page says so and offers to ask again.
    const stranger = new Browser();
    const expiredPage = await stranger.request('GET', veraLink);
    assert.equal(expiredPage.status, 404);
    assert.match(expiredPage.text, /This invitation link is not valid: it has expired or is no longer valid\./);
    assert.match(expiredPage.text, /Invitations expire 14 days after they are sent/);
    assert.match(expiredPage.text, /<a class="button" href="\/">Ask for access again<\/a>/);
    assert.match(expiredPage.text, /write to the person who invited you/);

    // Ada opens Vera's page: the expired invitation can be resent, and resending issues a fresh one.
    const guestPage = await admin.go(`${stack.appUrl}/admin/guests/${vera.guestId}`);
    assert.match(guestPage.text, /Expired/);
    assert.ok(guestPage.text.includes(`action="/admin/guests/${vera.guestId}/resend"`), 'resend is offered');
    stack.mail.clear();
    const done = await admin.submit(guestPage, `/admin/guests/${vera.guestId}/resend`, {});
    assert.match(done.text, /The invitation was sent again with a new link\./);
    const invitations = await invitationsOf(stack, vera.guestId);
    assert.equal(invitations.length, 2);
    const fresh = invitations.find((i) => i.status === 'pending')!;
    assert.ok(fresh && fresh.expires_at > new Date(Date.now() + 13 * 86_400_000).toISOString(), 'a fresh invitation, fourteen days to go');
    assert.equal(Number(fresh.invited_by), Number((await userByEmail(stack, 'ada.admin@passerelle.test')).id), 'Ada, who resent it, is its inviter now');
    const [resent] = await auditEvents(stack, { action: 'invitation.resent', target: `invitation:${fresh.id}` });
    assert.equal(JSON.parse(resent.details).replaces, vera.invitationId);
    const newMail = await stack.mail.waitFor((m) => m.to.includes('vera@newco.test') && /\/redeem\//.test(m.text));
    const newLink = redeemLinkIn(newMail.text)!;
    assert.notEqual(newLink, veraLink);
    assert.equal((await stranger.request('GET', newLink)).status, 200, 'the new link opens the invitation');
    assert.equal((await stranger.request('GET', veraLink)).status, 404, 'the old one still does not');
  });

  test('an owner sees the expired invitation on the item’s page and sends a fresh one', async () => {
    // Sam owns the self-service "Lab Archive" and invited Ivy to it; Sam reads French.
    const itemId = await buildCatalogItem(stack, { name: 'Lab Archive', owners: ['sam.sponsor@passerelle.test'], selfService: true });
    const ivy = await buildInvitation(stack, { email: 'ivy@newco.test', items: ['Lab Archive'], invitedBy: 'sam.sponsor@passerelle.test' });
    await stack.mail.waitFor((m) => m.to.includes('ivy@newco.test') && /\/redeem\//.test(m.text));
    await expireInvitations(stack, { email: 'ivy@newco.test' });
    const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /ivy@newco\.test/.test(m.subject));
    assert.ok(toSam.text.includes(`${stack.config.publicUrl}/owner/items/${itemId}`), toSam.text);

    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const itemPage = await sam.go(`${stack.appUrl}/owner/items/${itemId}`);
    assert.equal(itemPage.status, 200);
    assert.match(itemPage.text, /Invitation expirée/);
    const action = `/owner/items/${itemId}/guests/${ivy.guestId}/resend`;
    assert.ok(itemPage.text.includes(`action="${action}"`), 'resend is offered to the owner');
    stack.mail.clear();
    const done = await sam.submit(itemPage, action, {});
    assert.match(done.text, /Une nouvelle invitation a été envoyée, avec un nouveau lien\./);
    assert.doesNotMatch(done.text, /Invitation expirée/, 'the guest has a pending invitation again');
    const fresh = (await invitationsOf(stack, ivy.guestId)).find((i) => i.status === 'pending');
    assert.ok(fresh, 'a fresh invitation');
    assert.ok(await auditEvents(stack, { action: 'invitation.resent', target: `invitation:${fresh.id}` }).then((e) => e.length === 1));
    await stack.mail.waitFor((m) => m.to.includes('ivy@newco.test') && /\/redeem\//.test(m.text));
  });

  test('the invitation that followed a request: the sponsor who approved it is told, with a link to the request', async () => {
    const paula = new Browser();
    const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, id);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    await decide(stack, sam, id, 'approve');
    await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /\/redeem\//.test(m.text));
    await expireInvitations(stack, { email: 'paula@acme.test' });
    const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /paula@acme\.test/.test(m.subject));
    assert.equal(toSam.subject, 'L’invitation envoyée à paula@acme.test a expiré sans être acceptée');
    assert.ok(toSam.text.includes(`${stack.config.publicUrl}/inbox/${id}`), toSam.text);
  });

  test('a disabled guest’s expired invitation is not offered again, and a resend posted anyway is refused', async () => {
    const { guestId, invitationId } = await buildInvitation(stack, { email: 'dora@newco.test' });
    const page = await admin.go(`${stack.appUrl}/admin/guests/${guestId}`);
    await admin.submit(page, `/admin/guests/${guestId}/disable`, {});
    await expireInvitations(stack, { id: invitationId });
    await eventually('marked expired', async () => (await invitationsOf(stack, guestId)).every((i) => i.status === 'expired'));
    const after = await admin.go(`${stack.appUrl}/admin/guests/${guestId}`);
    assert.ok(!after.text.includes(`action="/admin/guests/${guestId}/resend"`), 'no resend offered');
    const refused = await admin.submit(after, `/admin/guests/${guestId}/resend`, {});
    assert.equal(refused.status, 409);
    assert.equal((await invitationsOf(stack, guestId)).length, 1, 'no new invitation');
  });

  test('moving the clock past an invitation’s expiry is enough: the sweep reads the one clock', async () => {
    const { guestId, invitationId } = await buildInvitation(stack, { email: 'otto@newco.test' });
    try {
      setClockOffsetMs((stack.config.invitationTtlHours + 1) * 3_600_000);
      await eventually('the invitation marked expired', async () => (await invitationsOf(stack, guestId)).every((i) => i.status === 'expired'));
    } finally {
      setClockOffsetMs(0);
    }
    assert.equal((await auditEvents(stack, { action: 'invitation.expired', target: `invitation:${invitationId}` })).length, 1);
  });
});
