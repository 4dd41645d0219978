import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildAccessRequest } from '../harness/factories.ts';
import { expireInvitations } from '../harness/rowEdits.ts';
import { auditEvents, countRows, identitiesWithSubject, requestRow } from '../harness/stored.ts';

let stack: Stack;
const paula = new Browser();
const pete = new Browser();
const sam = new Browser();
const sue = new Browser();
let paulaRequest = 0;

before(async () => {
  stack = await startStack();
  paulaRequest = (await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki'])).id;
  await waitUntilRouted(stack, paulaRequest);
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
});
after(async () => {
  await stack?.stop();
});

const deniedEvents = async (action: string) => auditEvents(stack, { action, outcome: 'denied' });

describe('sign-in refusals', () => {
  test('a callback with a wrong state is refused and signs nobody in', async () => {
    const b = new Browser();
    const toIdp = await b.request('GET', `${stack.appUrl}/auth/acme`);
    assert.equal(toIdp.status, 302);
    const authUrl = new URL(String(toIdp.headers.location));
    assert.ok(authUrl.searchParams.get('state'), 'a state is sent');
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    const page = await b.go(`${stack.appUrl}/auth/acme/callback?code=forged&state=wrong&iss=${encodeURIComponent(stack.issuers.acme.issuer)}`);
    assert.equal(page.status, 401);
    assert.match(page.text, /Sign-in did not complete/);
    const after = await b.go(`${stack.appUrl}/requests`);
    assert.ok(after.url.endsWith('/?signIn=1'), 'still anonymous: sent to the home page');
  });

  test('a callback without a sign-in started in this browser is refused', async () => {
    const page = await new Browser().go(`${stack.appUrl}/auth/acme/callback?code=abc&state=def`);
    assert.equal(page.status, 401);
  });

  test('returnTo pointing to another site is ignored', async () => {
    const b = new Browser();
    const page = await b.signIn(stack.appUrl, 'acme', 'pete@acme.test', undefined, '//evil.example/steal');
    assert.ok(page.url.startsWith(stack.appUrl), `landed on ${page.url}`);
  });

  test('an unknown identity provider answers 404', async () => {
    const page = await new Browser().go(`${stack.appUrl}/auth/nope`);
    assert.equal(page.status, 404);
  });
});

describe('request refusals', () => {
  test("another partner's request and a missing one both answer 404", async () => {
    assert.equal((await pete.go(`${stack.appUrl}/requests/${paulaRequest}`)).status, 404);
    assert.equal((await pete.go(`${stack.appUrl}/requests/999999`)).status, 404);
    assert.equal((await paula.go(`${stack.appUrl}/requests/${paulaRequest}`)).status, 200);
  });

  test('a form posted without its CSRF token is refused and stores nothing', async () => {
    const before = await countRows(stack, 'access_requests');
    const page = await pete.go(`${stack.appUrl}/requests`, 'POST', {
      items: await catalogIds(stack, ['Partner Wiki']),
      justification: 'A perfectly good reason for access.',
    });
    assert.equal(page.status, 403);
    assert.match(page.text, /This form has expired/);
    const after = await countRows(stack, 'access_requests');
    assert.deepEqual(after, before);
  });

  test('a partner whose IdP does not verify the e-mail cannot submit', async () => {
    const uma = new Browser();
    await uma.signIn(stack.appUrl, 'acme', 'uma@acme.test');
    const page = await uma.go(`${stack.appUrl}/requests/new`);
    assert.equal(page.status, 403);
    assert.equal((await deniedEvents('request:create')).length >= 1, true);
  });

  test('bad input is answered 400 with the field named, and nothing is stored', async () => {
    const form = await pete.go(`${stack.appUrl}/requests/new`);
    const short = await pete.submit(form, '/requests', { items: await catalogIds(stack, ['Partner Wiki']), justification: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.text, /Write between 10 and 2000 characters/);
    assert.match(short.text, /value="\d+" checked/, 'the choice is kept');
    const unknown = await pete.submit(form, '/requests', { items: ['999999'], justification: 'A perfectly good reason.' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /Choose one or more items/);
    assert.match(unknown.text, /A perfectly good reason\./, 'the text is kept');
    const none = await pete.submit(form, '/requests', { justification: 'A perfectly good reason.' });
    assert.equal(none.status, 400);
    assert.equal((await stack.db('access_requests').where({ requester_subject: 'acme-pete' })).length, 0);
  });

  test('a member of our organization cannot submit partner requests', async () => {
    assert.equal((await sam.go(`${stack.appUrl}/requests/new`)).status, 403);
  });
});

describe('decision refusals', () => {
  test('a sponsor the request was not routed to gets 403, to read or to decide', async () => {
    assert.equal((await sue.go(`${stack.appUrl}/inbox/${paulaRequest}`)).status, 403);
    const inbox = await sue.go(`${stack.appUrl}/inbox`);
    const page = await sue.submit(inbox, `/inbox/${paulaRequest}/decision`, { decision: 'approve' });
    assert.equal(page.status, 403);
    assert.equal((await requestRow(stack, paulaRequest)).status, 'pending');
    assert.ok((await deniedEvents('request.decide')).length >= 1);
  });

  test('a partner cannot reach the inbox at all', async () => {
    assert.equal((await paula.go(`${stack.appUrl}/inbox`)).status, 403);
  });

  test('denying needs a reason', async () => {
    const page = await decide(stack, sam, paulaRequest, 'deny', '   ');
    assert.equal(page.status, 400);
    assert.equal((await requestRow(stack, paulaRequest)).status, 'pending');
  });

  test('the first decision wins and a second one gets 409', async () => {
    const inboxPage = await sam.go(`${stack.appUrl}/inbox/${paulaRequest}`);
    const first = await sam.submit(inboxPage, `/inbox/${paulaRequest}/decision`, { decision: 'approve' });
    assert.equal(first.status, 200);
    const second = await sam.submit(inboxPage, `/inbox/${paulaRequest}/decision`, { decision: 'deny', reason: 'too late' });
    assert.equal(second.status, 409);
    assert.match(second.text, /already been decided/);
  });

  test('nobody decides their own request, not even an admin', async () => {
    const ada = new Browser();
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    // The admin also holds a partner account with the same e-mail at another IdP.
    const id = await buildAccessRequest(stack, {
      requester: 'ada.admin@passerelle.test', idp: 'globex', subject: 'someone-else', name: 'Ada', justification: 'my own request please',
      approvers: ['ada.admin@passerelle.test'],
    });
    const page = await ada.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(page.status, 200, 'the admin can read it');
    assert.doesNotMatch(page.text, />Approve</);
    const inbox = await ada.go(`${stack.appUrl}/inbox`);
    const post = await ada.submit(inbox, `/inbox/${id}/decision`, { decision: 'approve' });
    assert.equal(post.status, 403);
    assert.match(post.text, /request that you made yourself/);
  });
});

describe('invitation refusals', () => {
  let link = '';
  before(async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    link = redeemLink(mail.text);
  });

  test('garbage and unknown tokens get the same answer', async () => {
    const a = await new Browser().go(`${stack.appUrl}/redeem/not-a-token`);
    const b = await new Browser().go(`${stack.appUrl}/redeem/${'A'.repeat(43)}`);
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.match(a.text, /not valid/);
    assert.match(b.text, /not valid/);
  });

  test('someone signed in with a different e-mail cannot redeem it', async () => {
    await pete.go(link);
    const review = await pete.go(`${stack.appUrl}/redeem`);
    assert.equal(review.status, 403);
    assert.match(review.text, /was sent to paula@acme.test/);
    const post = await pete.submit(review, '/redeem', {});
    assert.equal(post.status, 403);
    assert.equal((await stack.db('invitations').where({ email: 'paula@acme.test' }).first()).status, 'pending');
  });

  test('the invited partner redeems it once; a replay fails', async () => {
    await paula.go(link);
    const review = await paula.go(`${stack.appUrl}/redeem`);
    const ok = await paula.submit(review, '/redeem', {});
    assert.equal(ok.status, 200);
    // The form from before: its session, and the CSRF token in it, ended with the redemption.
    const stale = await paula.submit(review, '/redeem', {});
    assert.equal(stale.status, 403);
    assert.match(stale.text, /This form has expired/);
    // Replayed in the new session with its own token, after opening the link again: the invitation is spent.
    assert.equal((await paula.go(link)).status, 404);
    const replay = await paula.submit(await paula.go(`${stack.appUrl}/access`), '/redeem', {});
    assert.equal(replay.status, 404);
    assert.equal((await identitiesWithSubject(stack, 'acme-paula')).length, 1);
  });

  test('an expired invitation cannot be opened', async () => {
    const b = new Browser();
    const { id } = await submitAsPartner(stack, b, 'globex', 'gary@globex.test', ['Quality Reviews']);
    await waitUntilRouted(stack, id);
    assert.equal((await decide(stack, sue, id, 'approve')).status, 200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && /invited/i.test(m.subject));
    await expireInvitations(stack, { email: 'gary@globex.test' });
    const page = await b.go(redeemLink(mail.text));
    assert.equal(page.status, 404);
  });

  test('the database holds no usable token: only hashes', async () => {
    const rows = await stack.db('invitations').select('token_hash');
    for (const r of rows) assert.match(r.token_hash, /^[0-9a-f]{64}$/);
    const bodies = await stack.db('mail_messages').select('text_body', 'html_body');
    for (const m of bodies) assert.doesNotMatch(m.text_body + m.html_body, /\/redeem\/[A-Za-z0-9_-]{43}/);
  });
});
