// Applications sign people in through Passerelle: a relying party written with openid-client runs
// the authorization-code flow with PKCE; Passerelle's own sign-in goes to the partner's issuer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAppClient, buildGuest } from '../harness/factories.ts';
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
