// Which identity provider is believed for which e-mail domain (issue 14, finding 1), and how a
// sign-in whose address nobody vouched for is named in the audit log (finding 7). The attack: an
// admin adds partner IdP "Initech" (serving initech.test) and organization Hooli (hooli.test, no IdP
// of its own, auto-approve "Project Atlas"); Initech edits its users' e-mail claims to Hooli
// addresses, and to our admin's. Every IdP here is a real oidc-provider issuer; the app is the real one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { buildApiClient, buildIdentityProvider, buildOrganization } from '../harness/factories.ts';
import { guestByEmail, identitiesOf, lastAuditEvent, requestOf } from '../harness/stored.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

let stack: Stack;
let initech: RunningIssuer;
let social: RunningIssuer;

const INITECH_CLIENT = { clientId: 'passerelle-initech', clientSecret: 'initech-secret-0123456789abcdef' };
const SOCIAL_CLIENT = { clientId: 'passerelle-social', clientSecret: 'social-secret-0123456789abcdef' };
const account = (sub: string, email: string, name: string) => ({ sub, email, emailVerified: true, name, password: DEMO_PASSWORD });

before(async () => {
  stack = await startStack();
  [initech, social] = await Promise.all([
    startDemoIssuer({
      key: 'initech',
      displayName: 'Initech',
      accounts: [
        account('initech-ian', 'ian@initech.test', 'Ian Initech'),
        // Initech's admin edits the e-mail claims of two of its own users.
        account('initech-ceo', 'ceo@hooli.test', 'Hooli CEO'),
        account('initech-anna', 'anna@hooli.test', 'Anna Hooli'),
        account('initech-olga', 'olga@nowhere.test', 'Olga Nowhere'),
        account('initech-ada', 'ada.admin@passerelle.test', 'Ada Admin'),
      ],
      clients: [{ ...INITECH_CLIENT, redirectUris: [`${stack.appUrl}/auth/initech/callback`] }],
    }),
    startDemoIssuer({
      key: 'social',
      displayName: 'Socialite',
      accounts: [account('social-sally', 'sally@mailbox.test', 'Sally Social'), account('social-ceo', 'ceo@hooli.test', 'Hooli CEO')],
      clients: [{ ...SOCIAL_CLIENT, redirectUris: [`${stack.appUrl}/auth/social/callback`] }],
    }),
  ]);
  await buildIdentityProvider(stack, { slug: 'initech', name: 'Initech', issuer: initech.issuer, client: INITECH_CLIENT, emailDomains: ['initech.test'] });
  await buildIdentityProvider(stack, { slug: 'social', name: 'Socialite', kind: 'social', issuer: social.issuer, client: SOCIAL_CLIENT, emailDomains: [] });
  await buildOrganization(stack, { name: 'Hooli', domains: ['hooli.test'], policy: 'auto_approve', autoApprove: ['Project Atlas'] });
});
after(async () => {
  await social?.close();
  await initech?.close();
  await stack?.stop();
});

const lastSignIn = async (issuer: string, sub: string) =>
  lastAuditEvent(stack, { action: 'auth.signed_in', actor_id: `${issuer}|${sub}` });

/** Signs in at `slug`; returns the browser and whether the app believed the address (it may ask for access). */
async function signInAt(slug: string, email: string): Promise<{ browser: Browser; mayRequest: boolean; requestsPage: string }> {
  const browser = new Browser();
  const landed = await browser.signIn(stack.appUrl, slug, email);
  const form = await browser.go(`${stack.appUrl}/requests/new`);
  // Someone whose address is not believed lands on the page saying why she cannot ask (403).
  assert.equal(landed.status, form.status === 200 ? 200 : 403, landed.text.slice(0, 300));
  const requestsPage = (await browser.go(`${stack.appUrl}/requests`)).text;
  return { browser, mayRequest: form.status === 200, requestsPage };
}

describe('a partner IdP vouches only for its own domains', () => {
  test('Initech asserting ceo@hooli.test: not verified, told why, cannot ask, is not auto-approved as Hooli', async () => {
    const { browser, mayRequest, requestsPage } = await signInAt('initech', 'ceo@hooli.test');
    assert.equal(mayRequest, false, 'Initech is no authority for hooli.test');
    assert.match(requestsPage, /not trusted for addresses at your e-mail domain/, 'the requests page says why there is no button');
    const form = await browser.go(`${stack.appUrl}/requests/new`);
    assert.equal(form.status, 403);
    assert.match(form.text, /not trusted for addresses at your e-mail domain/);
    assert.match(form.text, /one-time code/, 'and what to do instead');

    const requests = await browser.go(`${stack.appUrl}/requests`);
    const post = await browser.submit(requests, '/requests', { items: await catalogIds(stack, ['Project Atlas']), justification: 'I run Hooli, approve me at once please.' });
    assert.equal(post.status, 403);
    assert.equal(await requestOf(stack, 'ceo@hooli.test'), undefined, 'no request, let alone an approved one');

    const event = await lastSignIn(initech.issuer, 'initech-ceo');
    const details = JSON.parse(event.details);
    assert.equal(details.emailVerified, false);
    assert.equal(details.emailRefusal, 'notVouched');
    assert.equal(event.actor_label, null, 'the log does not name her by an address nobody vouched for');
  });

  test('an Initech account claiming anna@hooli.test cannot redeem Anna’s invitation', async () => {
    const { token } = await buildApiClient(stack, { name: 'Hooli onboarding', scopes: ['User.Invite.All'] });
    const inv = await supertest(stack.appUrl)
      .post('/v1.0/invitations')
      .set('Authorization', `Bearer ${token}`)
      .send({ invitedUserEmailAddress: 'anna@hooli.test', inviteRedirectUrl: `${stack.appUrl}/access`, sendInvitationMessage: true });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    const mail = await stack.mail.waitFor((m) => m.to.includes('anna@hooli.test'));

    const mallory = new Browser();
    await mallory.go(redeemLink(mail.text));
    await mallory.signIn(stack.appUrl, 'initech', 'anna@hooli.test', DEMO_PASSWORD, '/redeem');
    const review = await mallory.go(`${stack.appUrl}/redeem`);
    assert.equal(review.status, 403, review.text.slice(0, 300));
    const post = await mallory.submit(await mallory.go(`${stack.appUrl}/`), '/redeem', {});
    assert.equal(post.status, 403);
    const anna = await guestByEmail(stack, 'anna@hooli.test');
    assert.deepEqual(await identitiesOf(stack, anna.id), [], 'nobody was bound to Anna');
    assert.equal(anna.state, 'invited');
  });

  test('Initech is believed for initech.test, and for nothing nobody registered', async () => {
    assert.equal((await signInAt('initech', 'ian@initech.test')).mayRequest, true, 'its own domain');
    const olga = await signInAt('initech', 'olga@nowhere.test');
    assert.equal(olga.mayRequest, false, 'a partner IdP is no authority for an unregistered domain');
    assert.equal(JSON.parse((await lastSignIn(initech.issuer, 'initech-olga')).details).emailRefusal, 'notVouched');
  });

  test('a social IdP is believed for unregistered domains, never for a registered organization’s', async () => {
    assert.equal((await signInAt('social', 'sally@mailbox.test')).mayRequest, true);
    assert.equal((await signInAt('social', 'ceo@hooli.test')).mayRequest, false);
  });
});

describe('audit entries name people by what was proved', () => {
  test('an Initech account claiming our admin’s address is not filed under her address', async () => {
    await signInAt('initech', 'ada.admin@passerelle.test');
    const event = await lastSignIn(initech.issuer, 'initech-ada');
    assert.ok(event, 'the sign-in is on record under (issuer, subject)');
    assert.equal(event.actor_label, null);

    const ada = new Browser();
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const filtered = await ada.go(`${stack.appUrl}/admin/audit?actor=${encodeURIComponent('ada.admin@passerelle.test')}`);
    assert.equal(filtered.status, 200);
    assert.ok(!filtered.text.includes(`${initech.issuer}|initech-ada`), 'the actor filter finds only Ada’s own events');
    const all = await ada.go(`${stack.appUrl}/admin/audit?action=auth.signed_in`);
    assert.ok(all.text.includes(`${initech.issuer}|initech-ada`), 'the log lists the impostor by issuer and subject');
  });
});
