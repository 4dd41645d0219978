// Applications sign people in through Passerelle: a relying party written with openid-client runs
// the authorization-code flow with PKCE; Passerelle's own sign-in goes to the partner's issuer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { buildAppClient, buildGuest, buildInvitation } from '../harness/factories.ts';
import { auditEvent } from '../harness/stored.ts';
import { relyingParty } from '../harness/relyingParty.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('a guest signs in to an application through Passerelle', () => {
  test('claims: pairwise sub, email, name, user_type, idp, groups, amr, acr', async () => {
    await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Partner Wiki', 'Project Atlas'] });
    const wiki = await buildAppClient(stack, { item: 'Partner Wiki', visibleGroups: ['Project Atlas'] });
    const browser = new Browser();
    await browser.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const rp = await relyingParty(stack.appUrl, wiki);
    const tokens = await rp.signIn(browser);
    const claims = tokens.claims()!;
    assert.equal(claims.email, 'paula@acme.test');
    assert.equal(claims.user_type, 'guest');
    assert.equal(claims.idp, stack.issuers.acme.issuer);
    assert.deepEqual(claims.groups, ['Project Atlas']);
    assert.deepEqual(claims.amr, ['fed']);
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
    assert.equal(info.name, 'Paula Partner');
  });
});

describe('My access, invitations and sign-out around an application', () => {
  test('a tile opens the app through its own sign-in, says which groups it sees; withdrawing consent signs the app out and makes it ask again', async () => {
    const app = await buildAppClient(stack, { initiate_login_uri: 'http://127.0.0.1:9/login', visibleGroups: ['Project Atlas'] });
    const { name } = (await stack.db('catalog_items').where({ id: app.itemId }).first()) as { name: string };
    await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: [name, 'Project Atlas', 'Quality Reviews'] });
    const browser = new Browser();
    await browser.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const rp = await relyingParty(stack.appUrl, app);
    const first = await rp.start();
    const consentPage = await rp.browse(browser, first.url);
    assert.ok('page' in consentPage && consentPage.page.text.includes(`${name} would like to know who you are`), 'the first sign-in asks for consent');
    const tokens = await rp.signIn(browser);
    assert.ok(tokens.refresh_token, 'a refresh token');

    const access = await browser.go(`${stack.appUrl}/access`);
    const href = new RegExp(`<a class="button" href="([^"]+)"[^>]*>Open ${name}`).exec(access.text)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(href, `an Open button on the tile: ${access.text}`);
    const opens = new URL(href);
    assert.equal(opens.origin + opens.pathname, 'http://127.0.0.1:9/login');
    assert.equal(opens.searchParams.get('iss'), `${stack.appUrl}/oidc`);
    assert.match(access.text, /It sees your groups: Project Atlas/);

    const withdrawn = await browser.submit(access, `/access/apps/${app.itemId}/consent`, {});
    assert.match(withdrawn.text, /Consent withdrawn/);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (err: { error?: string }) => err.error === 'invalid_grant');
    const again = await rp.browse(browser, (await rp.start()).url);
    assert.ok('page' in again && /would like to know who you are/.test(again.page.text), 'the next sign-in asks again');
    assert.ok(await auditEvent(stack, { action: 'app.consent_withdrawn', target: `item:${app.itemId}` }));
  });

  test('an invitation that opens an app lands the guest, once redeemed, in the app’s sign-in, which completes without asking', async () => {
    const app = await buildAppClient(stack, { initiate_login_uri: 'http://127.0.0.1:9/login' });
    const item = (await stack.db('catalog_items').where({ id: app.itemId }).first()) as { name: string; launch_url: string };
    await stack.db('catalog_items').where({ id: app.itemId }).update({ launch_url: 'http://127.0.0.1:9/' });
    await buildInvitation(stack, { email: 'gary@globex.test', items: [item.name], redirectUrl: 'http://127.0.0.1:9/reports' });
    const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test'));
    const browser = new Browser();
    await browser.go(redeemLink(mail.text));
    const review = await browser.signIn(stack.appUrl, 'globex', 'gary@globex.test', undefined, '/redeem');
    assert.match(review.text, /Signs you in through Passerelle and receives/);
    const answer = await browser.request('POST', `${stack.appUrl}/redeem`, { _csrf: /name="_csrf" value="([^"]+)"/.exec(review.text)![1]! });
    // Off-site after a form: a page that moves on by itself, not a redirect the form's CSP would stop.
    const landing = answer;
    assert.equal(landing.status, 200, landing.text.slice(0, 500));
    const to = new URL(/^0;url=(.+)$/.exec(String(landing.headers.refresh))![1]!);
    assert.equal(to.origin + to.pathname, 'http://127.0.0.1:9/login', 'the app’s sign-in');
    assert.equal(to.searchParams.get('target_link_uri'), 'http://127.0.0.1:9/reports');
    // The app starts its sign-in there; Passerelle answers with a code at once, no consent page.
    const rp = await relyingParty(stack.appUrl, app);
    const checks = await rp.start();
    const step = await rp.browse(browser, checks.url);
    assert.ok('callback' in step, `straight back to the app, got ${'page' in step ? step.page.text.slice(0, 300) : ''}`);
    const tokens = await rp.exchange(step.callback, checks);
    assert.equal(tokens.claims()!.email, 'gary@globex.test');
  });

  test('RP-initiated logout signs the person out of Passerelle and returns to a registered post-logout URI only', async () => {
    // A member of our organization, for an app that does not require assignment.
    const app = await buildAppClient(stack, { assignment_required: false, post_logout_redirect_uris: ['http://127.0.0.1:9/signed-out'] });
    const browser = new Browser();
    await browser.signIn(stack.appUrl, 'ours', 'omar.member@passerelle.test');
    const rp = await relyingParty(stack.appUrl, app);
    const tokens = await rp.signIn(browser);
    const end = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'bye' });
    const confirm = await browser.go(end.toString());
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Do you also want to sign out of Passerelle/);
    // Its form ends at the app's post-logout URI: the one directive that would stop that is dropped, the rest kept.
    const csp = String(confirm.headers['content-security-policy']);
    assert.doesNotMatch(csp, /form-action/);
    assert.match(csp, /default-src 'self';.*frame-ancestors 'none'/);
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"/.exec(confirm.text)!;
    const out = await browser.request('POST', new URL(action[1]!, confirm.url).toString(), { xsrf: action[2]!, logout: 'yes' });
    assert.equal(out.status, 303);
    assert.equal(String(out.headers.location), 'http://127.0.0.1:9/signed-out?state=bye');
    const after = await browser.request('GET', `${stack.appUrl}/inbox`);
    assert.equal(after.status, 303, 'signed out of Passerelle: the inbox asks to sign in');
    assert.ok(await auditEvent(stack, { action: 'auth.signed_out' }));

    const elsewhere = oidc.buildEndSessionUrl(rp.config, { post_logout_redirect_uri: 'https://evil.example/' , client_id: app.clientId });
    const refused = await browser.go(elsewhere.toString());
    assert.equal(refused.status, 400);
    assert.doesNotMatch(String(refused.headers.location ?? ''), /evil/);
  });
});
