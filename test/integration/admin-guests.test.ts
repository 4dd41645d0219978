import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { auditEvent, guestByEmail, identitiesOf, membershipsOf, userByEmail } from '../harness/stored.ts';

let stack: Stack;
const admin = new Browser();
const paula = new Browser();
let paulaId = 0;
let garyId = 0;

async function invitedAndApproved(b: Browser, slug: string, email: string, sponsor: Browser) {
  const { id } = await submitAsPartner(stack, b, slug, email, ['Partner Wiki']);
  await waitUntilRouted(stack, id);
  await decide(stack, sponsor, id, 'approve');
  return stack.mail.waitFor((m) => m.to.includes(email) && /invited/i.test(m.subject));
}

before(async () => {
  stack = await startStack();
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const sue = new Browser();
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  // Paula redeems and is active; Gary stays invited.
  const mail = await invitedAndApproved(paula, 'acme', 'paula@acme.test', sam);
  await paula.go(redeemLink(mail.text));
  await paula.submit(await paula.go(`${stack.appUrl}/redeem`), '/redeem', {});
  await invitedAndApproved(new Browser(), 'globex', 'gary@globex.test', sue);
  paulaId = (await guestByEmail(stack, 'paula@acme.test')).id;
  garyId = (await guestByEmail(stack, 'gary@globex.test')).id;
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

const action = async (guestId: number, path: string, fields: Record<string, string> = {}) => {
  const page = await admin.go(`${stack.appUrl}/admin/guests/${guestId}`);
  return admin.submit(page, `/admin/guests/${guestId}/${path}`, fields);
};

describe('the guest list', () => {
  test('shows name, e-mail, organization, state, sponsors and memberships, and searches', async () => {
    const list = await admin.go(`${stack.appUrl}/admin/guests`);
    assert.match(list.text, /Paula Partner/);
    assert.match(list.text, /Acme Industries/);
    assert.match(list.text, /sam.sponsor@passerelle.test/);
    assert.match(list.text, /Partner Wiki/);
    assert.match(list.text, /Active/);
    assert.match(list.text, /Invited/);
    const found = await admin.go(`${stack.appUrl}/admin/guests?q=GLOBEX`);
    assert.match(found.text, /gary@globex.test/);
    assert.doesNotMatch(found.text, /paula@acme.test/);
    const nothing = await admin.go(`${stack.appUrl}/admin/guests?q=%25_`);
    assert.match(nothing.text, /No guests match/);
  });

  test('pages through many guests', async () => {
    const stamp = new Date().toISOString();
    await stack.db.batchInsert('users', Array.from({ length: 60 }, (_, i) => ({
      display_name: `Bulk ${i}`, email: `bulk${String(i).padStart(2, '0')}@bulk.test`, user_type: 'guest', state: 'invited', created_at: stamp,
    })), 30);
    const first = await admin.go(`${stack.appUrl}/admin/guests?q=bulk`);
    assert.match(first.text, /bulk00@bulk.test/);
    assert.match(first.text, /Next page/);
    const third = await admin.go(`${stack.appUrl}/admin/guests?q=bulk&page=3`);
    assert.match(third.text, /bulk59@bulk.test/);
    assert.doesNotMatch(third.text, /Next page/);
  });
});

describe('actions on one guest', () => {
  test('sponsors and memberships are added and removed, each audited', async () => {
    const sue = await userByEmail(stack, 'sue.sponsor@passerelle.test');
    const [atlas] = await catalogIds(stack, ['Project Atlas']);
    let page = await action(paulaId, 'sponsors/add', { sponsor: String(sue.id) });
    assert.match(page.text, /Sponsor added/);
    assert.match(page.text, /sue.sponsor@passerelle.test/);
    page = await action(paulaId, 'memberships/add', { item: atlas });
    assert.match(page.text, /Membership added/);
    const panel = await paula.go(`${stack.appUrl}/access`);
    assert.match(panel.text, /Project Atlas/);
    page = await action(paulaId, 'memberships/remove', { item: atlas });
    page = await action(paulaId, 'sponsors/remove', { sponsor: String(sue.id) });
    assert.match(page.text, /Sponsor removed/);
    assert.doesNotMatch((await paula.go(`${stack.appUrl}/access`)).text, /Project Atlas/);
    for (const a of ['guest.sponsor_added', 'guest.sponsor_removed', 'membership.granted', 'membership.removed']) {
      assert.ok(await auditEvent(stack, { action: a, target: `user:${paulaId}` }), a);
    }
  });

  test('resending an invitation mails a new link and the old one stops working', async () => {
    const first = stack.mail.messages().find((m) => m.to.includes('gary@globex.test') && /invited/i.test(m.subject))!;
    stack.mail.clear();
    const page = await action(garyId, 'resend');
    assert.match(page.text, /sent again with a new link/);
    const second = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && /invited/i.test(m.subject));
    assert.notEqual(redeemLink(second.text), redeemLink(first.text));
    assert.equal((await new Browser().go(redeemLink(first.text))).status, 404);
    assert.equal((await new Browser().go(redeemLink(second.text))).status, 200);
  });

  test('resend is refused for a guest who has no pending invitation', async () => {
    const page = await action(paulaId, 'resend');
    assert.equal(page.status, 409);
    assert.match(page.text, /no pending invitation/);
  });

  test('disabling ends access on the next click; enabling restores it', async () => {
    await action(paulaId, 'disable');
    const after = await paula.go(`${stack.appUrl}/access`);
    assert.ok(after.url.endsWith('/?signIn=1'), `the session no longer counts: ${after.url}`);
    const again = await new Browser().signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.equal(again.status, 403);
    assert.match(again.text, /has been turned off/);
    await action(paulaId, 'enable');
    const back = new Browser();
    await back.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.match((await back.go(`${stack.appUrl}/access`)).text, /Partner Wiki/);
  });

  test('reset redemption revokes the invitation and unbinds the identity, so the guest redeems afresh', async () => {
    stack.mail.clear();
    const page = await action(paulaId, 'reset');
    assert.match(page.text, /Redemption reset/);
    assert.equal((await identitiesOf(stack, paulaId)).length, 0);
    assert.equal((await stack.db('users').where({ id: paulaId }).first()).state, 'invited');
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    const fresh = new Browser();
    await fresh.go(redeemLink(mail.text));
    await fresh.signIn(stack.appUrl, 'acme', 'paula@acme.test', undefined, '/redeem');
    const done = await fresh.submit(await fresh.go(`${stack.appUrl}/redeem`), '/redeem', {});
    assert.match(done.text, /Your access is ready/);
    assert.equal((await identitiesOf(stack, paulaId)).length, 1);
    assert.equal((await stack.db('invitations').where({ user_id: paulaId, status: 'revoked' })).length, 1);
  });

  test('removing a guest ends memberships and sessions at once', async () => {
    const signedIn = new Browser();
    await signedIn.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const page = await action(paulaId, 'remove');
    assert.match(page.text, /guest is removed/);
    assert.equal((await membershipsOf(stack, paulaId)).length, 0);
    const after = await signedIn.go(`${stack.appUrl}/access`);
    assert.ok(after.url.endsWith('/?signIn=1'), after.url);
    assert.equal((await action(paulaId, 'remove')).status, 409);
  });

  test('an unknown guest or action answers 404', async () => {
    assert.equal((await admin.go(`${stack.appUrl}/admin/guests/999999`)).status, 404);
    assert.equal((await action(garyId, 'explode')).status, 404);
  });

  test('names an object literal answers to are unknown actions too: a 404 page, nothing done', async () => {
    const before = await stack.db('audit_events').max({ seq: 'seq' }).first();
    for (const name of ['constructor', 'hasOwnProperty', 'valueOf', 'toString', '__proto__', 'isPrototypeOf']) {
      const page = await action(garyId, name);
      assert.equal(page.status, 404, name);
      assert.match(page.text, /<h1>/, `${name}: a page`);
      assert.doesNotMatch(page.url, /done=/, name);
    }
    const since = await stack.db('audit_events').where('seq', '>', before!.seq).select('action', 'actor_type');
    assert.deepEqual(since.filter((e) => e.actor_type === 'user'), [], `nothing was done by the admin: ${JSON.stringify(since)}`);
  });

  test('the page shows only the notices of its own actions, never text from the link', async () => {
    const url = `${stack.appUrl}/admin/guests/${garyId}`;
    const forged = await admin.go(`${url}?done=${encodeURIComponent('guests.Your account is locked, call +1 555 0100')}`);
    assert.equal(forged.status, 200);
    assert.doesNotMatch(forged.text, /call \+1 555 0100/);
    assert.doesNotMatch(forged.text, /class="notice"/);
    const otherKey = await admin.go(`${url}?done=guests.actionsHint`);
    assert.doesNotMatch(otherKey.text, /class="notice"/, 'another message key is not a notice either');
    const real = await admin.go(`${url}?done=guests.sponsorAdded`);
    assert.match(real.text, /<p class="notice" role="status">Sponsor added\.<\/p>/);
  });
});
