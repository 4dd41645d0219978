// Direct invitations: an admin invites a pasted list and a CSV upload, the batch job answers every
// row, invitees redeem and land where the admin chose; owners of self-service items run their own
// guests and nothing else. Every hop is real HTTP against the real stack.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, redeemLink, type Page } from '../harness/browser.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { auditEvent, countRows, guestByEmail, invitationsOf, membershipsOf, organizationNamed, requestRow, userByEmail } from '../harness/stored.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';
import { JOBS } from '../../src/queue/queues.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** A person signed in at `slug`, back at the app. */
async function signedIn(slug: string, email: string): Promise<Browser> {
  const person = new Browser();
  const page = await person.signIn(stack.appUrl, slug, email);
  assert.ok(page.url.startsWith(stack.appUrl), `signed in and back at the app, not at ${page.url}`);
  return person;
}

/** Posts the invitation form as a browser does (multipart/form-data, with the CSV if one is chosen); the answer to the POST, redirects not followed. */
function postInvitations(person: Browser, form: Page, fields: Record<string, string | string[]>, csv?: { filename: string; content: Buffer }): Promise<Page> {
  return person.upload(form, '/invitations', fields, csv && { field: 'csv', ...csv, contentType: 'text/csv' }, { follow: false });
}

interface ResultRow {
  row: number;
  email: string;
  name: string;
  result: string;
}

/** The per-row table of a batch page. */
function resultRows(html: string): ResultRow[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td class="result-[a-z_]+">([^<]*)<\/td><\/tr>/g)].map((m) => ({
    row: Number(m[1]),
    email: m[2]!,
    name: m[3]!,
    result: m[4]!.replace(/&#39;/g, "'"),
  }));
}

const batchCount = () => countRows(stack, 'invitation_batches');
const itemId = async (name: string) => Number((await catalogIds(stack, [name]))[0]);
const batchIdOf = (page: Page) => Number(/\/invitations\/batches\/(\d+)$/.exec(String(page.headers.location))?.[1]);

/** Polls the batch page (as its creator) until it says Done; returns that page. */
async function batchWhenDone(person: Browser, id: number): Promise<Page> {
  return eventually(`batch ${id} done`, async () => {
    const page = await person.go(`${stack.appUrl}/invitations/batches/${id}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    return /Done\./.test(page.text) ? page : null;
  });
}

describe('an admin invites guests directly', () => {
  let admin: Browser;
  let batchId = 0;
  let wikiId = 0;
  let atlasId = 0;
  const message = 'Welcome aboard, Pete!\nThe gearbox specifications are in the wiki.';

  before(async () => {
    admin = await signedIn('ours', 'ada.admin@passerelle.test');
    wikiId = await itemId('Partner Wiki');
    atlasId = await itemId('Project Atlas');
  });

  test('an admin creates a partner organization whose domain policy is deny', async () => {
    const form = await admin.go(`${stack.appUrl}/admin/organizations/new`);
    assert.equal(form.status, 200);
    const saved = await admin.go(`${stack.appUrl}/admin/organizations`, 'POST', {
      _csrf: csrfToken(form.text)!,
      name: 'Initech',
      domains: 'initech.test',
      identity_provider_id: '',
      policy: 'deny',
    });
    assert.equal(saved.status, 200, saved.text.slice(0, 500));
    const org = await organizationNamed(stack, 'Initech');
    assert.equal(org?.policy, 'deny');
  });

  test('the admin invites a pasted list plus a CSV to chosen items; the batch page shows progress, then a result per row', async () => {
    const form = await admin.go(`${stack.appUrl}/invitations`);
    assert.equal(form.status, 200);
    assert.match(form.text, /Invite guests/);
    assert.match(form.text, /enctype="multipart\/form-data"/);
    const pasted = ['pete@acme.test', 'Nina New <nina@newco.example>', 'not-an-address', 'PETE@acme.test', 'dora@initech.test'].join('\n');
    const csv = Buffer.from('email,name\ncarl@acme.test,Carl Acme\nbad@@acme.test,Broken Row\nnina@newco.example,Nina Again\n');

    // Hold the batch job (in this process only) so the page can be seen while the batch waits.
    const queue = stack.worker.queues[JOBS.invitationBatch];
    await queue.pause(true);
    let sent: Page;
    try {
      sent = await postInvitations(admin, form, {
        emails: pasted,
        items: [String(wikiId), String(atlasId)],
        message,
        cc: 'lead@passerelle.test, buyer@passerelle.test',
        redirect: String(wikiId),
      }, { filename: 'guests.csv', content: csv });
      assert.equal(sent.status, 303, sent.text.slice(0, 800));
      batchId = batchIdOf(sent);
      assert.ok(batchId > 0, String(sent.headers.location));

      const waiting = await admin.go(`${stack.appUrl}/invitations/batches/${batchId}`);
      assert.equal(waiting.status, 200);
      assert.equal(waiting.headers.refresh, '2', 'the page refreshes itself while the batch runs');
      assert.match(waiting.text, /Sending invitations…/);
      // Malformed and duplicate rows are answered at once; the rest wait for the job.
      assert.match(waiting.text, /4 of 8 rows processed\./);
      assert.match(waiting.text, /<progress max="8" value="4"/);
      assert.match(waiting.text, /Waiting: <strong>4<\/strong>/);
    } finally {
      await queue.resume(true);
    }

    const done = await batchWhenDone(admin, batchId);
    assert.equal(done.headers.refresh, undefined, 'no more refreshing once done');
    assert.match(done.text, /Done\.\s+8 of 8 rows processed\./);
    assert.deepEqual(resultRows(done.text), [
      { row: 1, email: 'pete@acme.test', name: '', result: 'Invited' },
      { row: 2, email: 'nina@newco.example', name: 'Nina New', result: 'Invited' },
      { row: 3, email: 'not-an-address', name: '', result: 'Not an e-mail address' },
      { row: 4, email: 'PETE@acme.test', name: '', result: 'Listed twice' },
      { row: 5, email: 'dora@initech.test', name: '', result: 'Refused by domain policy (Initech)' },
      { row: 6, email: 'carl@acme.test', name: 'Carl Acme', result: 'Invited' },
      { row: 7, email: 'bad@@acme.test', name: 'Broken Row', result: 'Not an e-mail address' },
      { row: 8, email: 'nina@newco.example', name: 'Nina Again', result: 'Listed twice' },
    ]);
    assert.match(done.text, /Invited: <strong>3<\/strong>/);
    assert.match(done.text, /Not an e-mail address: <strong>2<\/strong>/);
    assert.match(done.text, /Listed twice: <strong>2<\/strong>/);
    assert.match(done.text, /Refused by domain policy: <strong>1<\/strong>/);

    const guests = await stack.db('users').where({ user_type: 'guest' }).whereIn('email', ['pete@acme.test', 'nina@newco.example', 'carl@acme.test', 'dora@initech.test']);
    assert.deepEqual(guests.map((g) => g.email).sort(), ['carl@acme.test', 'nina@newco.example', 'pete@acme.test']);
    assert.ok(guests.every((g) => g.state === 'invited'));
    assert.equal(guests.find((g) => g.email === 'carl@acme.test')?.display_name, 'Carl Acme');
    for (const g of guests) assert.equal((await membershipsOf(stack, g.id)).length, 2, `${g.email} has both items`);
    const started = await auditEvent(stack, { action: 'invitation.batch_started', target: `batch:${batchId}` });
    assert.ok(started, 'the batch is audited');
    assert.deepEqual(JSON.parse(started.details).cc, ['lead@passerelle.test', 'buyer@passerelle.test']);

    // The form page lists the batch among the recent ones.
    assert.match((await admin.go(`${stack.appUrl}/invitations`)).text, new RegExp(`href="/invitations/batches/${batchId}"`));
  });

  test('the invitation mail carries the personal message and is copied to both CC addresses', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject));
    assert.equal(mail.subject, 'You are invited to Partner Wiki, Project Atlas');
    assert.deepEqual([...mail.cc].sort(), ['buyer@passerelle.test', 'lead@passerelle.test']);
    assert.match(mail.text, /A message from Ada Admin:\nWelcome aboard, Pete!\nThe gearbox specifications are in the wiki\./);
    assert.match(mail.text, /Ada Admin gave you access to Partner Wiki, Project Atlas/);
    assert.match(mail.html ?? '', /Welcome aboard, Pete!/);
    redeemLink(mail.text);
    for (const invitee of ['nina@newco.example', 'carl@acme.test']) {
      const m = await stack.mail.waitFor((x) => x.to.includes(invitee) && /invited/i.test(x.subject));
      assert.deepEqual([...m.cc].sort(), ['buyer@passerelle.test', 'lead@passerelle.test']);
    }
    assert.ok(!stack.mail.messages().some((m) => m.to.includes('dora@initech.test')), 'nobody at a denied domain is mailed');
  });

  test('the invitee redeems the invitation and lands on the Partner Wiki launch URL', async () => {
    const mail = stack.mail.messages().find((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject))!;
    const pete = new Browser();
    const landing = await pete.go(redeemLink(mail.text));
    assert.equal(landing.status, 200);
    assert.match(landing.text, /Ada Admin invited pete@acme\.test/);
    assert.match(landing.text, /href="\/auth\/acme\?returnTo=%2Fredeem"/);
    const review = await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test', DEMO_PASSWORD, '/redeem');
    assert.equal(review.status, 200, review.text.slice(0, 500));
    assert.match(review.text, /Review permissions/);
    assert.match(review.text, /Partner Wiki/);
    assert.match(review.text, /Project Atlas/);
    // Not followed: the launch URL is outside the test world.
    const accepted = await pete.request('POST', `${stack.appUrl}/redeem`, { _csrf: csrfToken(review.text)! });
    // Off-site after a form: a page that moves on by itself (a redirect would be held to the form's CSP form-action).
    assert.equal(accepted.status, 200);
    assert.equal(accepted.headers.refresh, '0;url=https://wiki.passerelle.test/');
    assert.match(accepted.text, /href="https:\/\/wiki\.passerelle\.test\/"/);
    const user = await guestByEmail(stack, 'pete@acme.test');
    assert.equal(user.state, 'active');
  });

  test('inviting someone who is already an active guest gives access at once and mails "you now have access", not an invitation', async () => {
    const portalId = await itemId('Supplier Portal');
    const pete = await guestByEmail(stack, 'pete@acme.test');
    const invitationsBefore = await invitationsOf(stack, pete.id);
    const form = await admin.go(`${stack.appUrl}/invitations`);
    const sent = await postInvitations(admin, form, { emails: 'pete@acme.test', items: String(portalId), cc: 'lead@passerelle.test' });
    assert.equal(sent.status, 303, sent.text.slice(0, 800));
    const done = await batchWhenDone(admin, batchIdOf(sent));
    assert.deepEqual(resultRows(done.text), [{ row: 1, email: 'pete@acme.test', name: '', result: 'Already a guest: access added' }]);

    assert.ok(await stack.db('memberships').where({ user_id: pete.id, item_id: portalId }).first(), 'access given at once');
    assert.equal((await stack.db('users').where({ id: pete.id }).first()).state, 'active');
    assert.deepEqual(await invitationsOf(stack, pete.id), invitationsBefore, 'no new invitation');
    const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /Supplier Portal/.test(m.subject));
    assert.equal(mail.subject, 'You now have access to Supplier Portal');
    assert.match(mail.text, new RegExp(`${stack.appUrl}/access`));
    assert.doesNotMatch(mail.text, /\/redeem\//);
    assert.deepEqual(mail.cc, ['lead@passerelle.test']);
  });

  test('a CSV over 1 MB is answered 413 and stores no batch', async () => {
    const before = await batchCount();
    const form = await admin.go(`${stack.appUrl}/invitations`);
    const big = Buffer.alloc(10 * 1024 * 1024, 'someone@acme.test\n');
    const page = await postInvitations(admin, form, { items: String(wikiId) }, { filename: 'huge.csv', content: big });
    assert.equal(page.status, 413);
    assert.match(page.text, /The file is too large/);
    assert.equal(await batchCount(), before);
  });

  test('a form without items is 400, names the field and stores no batch', async () => {
    const before = await batchCount();
    const form = await admin.go(`${stack.appUrl}/invitations`);
    const page = await postInvitations(admin, form, { emails: 'someone@acme.test', message: 'Kept as typed.' });
    assert.equal(page.status, 400);
    assert.match(page.text, /There is a problem with one field[\s\S]*<a href="#items">Choose at least one group or application\.<\/a>/, 'the summary links to the field');
    assert.match(page.text, /<fieldset class="checks field-invalid" id="items" tabindex="-1" aria-describedby="items-error">/, 'the items field is marked');
    assert.match(page.text, />someone@acme\.test<\/textarea>/, 'the addresses are kept');
    assert.match(page.text, />Kept as typed\.<\/textarea>/, 'the message is kept');
    assert.equal(await batchCount(), before);
    // The field's own message, not a generic one; and the addresses given are not reported missing.
    assert.match(page.text, /<p class="field-error" id="items-error">(?:<span[^>]*>[^<]*<\/span> )*Choose at least one group or application\.<\/p>/);
    assert.doesNotMatch(page.text, /id="emails-error"/, 'the e-mail field is not marked: addresses were given');
  });

  test('a form with no addresses is 400, names the field and stores no batch', async () => {
    const before = await batchCount();
    const form = await admin.go(`${stack.appUrl}/invitations`);
    const page = await postInvitations(admin, form, { emails: '  \n ', items: String(wikiId) });
    assert.equal(page.status, 400);
    assert.match(page.text, /<p class="field-error" id="emails-error">(?:<span[^>]*>[^<]*<\/span> )*Enter at least one e-mail address or upload a CSV file\.<\/p>/);
    assert.match(page.text, new RegExp(`value="${wikiId}" checked`), 'the choice is kept');
    assert.doesNotMatch(page.text, /id="items-error"/);
    assert.equal(await batchCount(), before);
  });

  test('a partner gets 403 on the invitation form and on the guest list', async () => {
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    assert.equal((await paula.go(`${stack.appUrl}/invitations`)).status, 403);
    assert.equal((await paula.go(`${stack.appUrl}/admin/guests`)).status, 403);
    assert.equal((await paula.go(`${stack.appUrl}/invitations/batches/${batchId}`)).status, 403);
    const refused = await stack.db('audit_events').where({ outcome: 'denied', actor_label: 'paula@acme.test' }).select('action');
    assert.ok(refused.some((e) => e.action === 'owner:console'), JSON.stringify(refused));
    assert.ok(refused.some((e) => e.action === 'admin:manage'), JSON.stringify(refused));
  });
});

describe('an owner runs the guests of her self-service group', () => {
  let sue: Browser;
  let reviewsId = 0;
  let wikiId = 0;

  before(async () => {
    sue = await signedIn('ours', 'sue.sponsor@passerelle.test');
    reviewsId = await itemId('Quality Reviews');
    wikiId = await itemId('Partner Wiki');
  });

  test('"My groups and apps" lists the self-service group she owns, and only that', async () => {
    const page = await sue.go(`${stack.appUrl}/owner`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>My groups and apps<\/h1>/);
    assert.match(page.text, new RegExp(`<a href="/owner/items/${reviewsId}">Quality Reviews</a>`));
    assert.match(page.text, new RegExp(`href="/invitations\\?item=${reviewsId}"`));
    assert.doesNotMatch(page.text, /Partner Wiki|Project Atlas|Supplier Portal/);
    const form = await sue.go(`${stack.appUrl}/invitations?item=${reviewsId}`);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`value="${reviewsId}" checked`), 'the group is preselected');
    assert.doesNotMatch(form.text, /Partner Wiki/, 'only her items are offered');
  });

  test('she invites a guest to Quality Reviews', async () => {
    const form = await sue.go(`${stack.appUrl}/invitations?item=${reviewsId}`);
    const sent = await postInvitations(sue, form, { emails: 'Olga Owens <olga@globex.test>\ngus@globex.test', items: String(reviewsId) });
    assert.equal(sent.status, 303, sent.text.slice(0, 800));
    const done = await batchWhenDone(sue, batchIdOf(sent));
    assert.deepEqual(resultRows(done.text).map((r) => [r.email, r.result]), [['olga@globex.test', 'Invited'], ['gus@globex.test', 'Invited']]);
    const mail = await stack.mail.waitFor((m) => m.to.includes('olga@globex.test'));
    assert.equal(mail.subject, 'You are invited to Quality Reviews');
    assert.match(mail.text, /Sue Second gave you access to Quality Reviews/);
    const item = await sue.go(`${stack.appUrl}/owner/items/${reviewsId}`);
    assert.equal(item.status, 200);
    assert.match(item.text, /Olga Owens/);
    assert.match(item.text, /gus@globex\.test/);
  });

  test('inviting to an item she does not own is 403 and stores nothing', async () => {
    const batches = await batchCount();
    const users = await countRows(stack, 'users');
    const form = await sue.go(`${stack.appUrl}/invitations?item=${reviewsId}`);
    const page = await postInvitations(sue, form, { emails: 'mallory@globex.test', items: [String(reviewsId), String(wikiId)] });
    assert.equal(page.status, 403);
    assert.equal(await batchCount(), batches);
    assert.equal(await countRows(stack, 'users'), users);
    assert.equal(await userByEmail(stack, 'mallory@globex.test'), undefined);
  });

  test('managing an item she does not own is 403 and audited as a denied item.manage', async () => {
    const page = await sue.go(`${stack.appUrl}/owner/items/${wikiId}`);
    assert.equal(page.status, 403);
    assert.match(page.text, /You are not allowed to do that/);
    const event = await auditEvent(stack, { action: 'item.manage', outcome: 'denied', target: `item:${wikiId}` });
    assert.ok(event, 'a denied item.manage event');
    assert.equal(event.actor_label, 'sue.sponsor@passerelle.test');
  });

  test('she removes a guest from Quality Reviews: the membership is gone and the removal audited', async () => {
    const gus = await guestByEmail(stack, 'gus@globex.test');
    const item = await sue.go(`${stack.appUrl}/owner/items/${reviewsId}`);
    const action = `/owner/items/${reviewsId}/guests/${gus.id}/remove`;
    assert.match(item.text, new RegExp(`action="${action}"`));
    const page = await sue.go(`${stack.appUrl}${action}`, 'POST', { _csrf: csrfToken(item.text)! });
    assert.equal(page.status, 200);
    assert.ok(page.url.endsWith(`/owner/items/${reviewsId}?removed=1`), page.url);
    assert.match(page.text, /The guest no longer has access\./);
    assert.doesNotMatch(page.text, /gus@globex\.test/);
    assert.match(page.text, /Olga Owens/, 'the other guest stays');
    // Ended, kept for the record (and for the retirement of a guest left with nothing).
    assert.equal(await stack.db('memberships').where({ user_id: gus.id, item_id: reviewsId }).whereNull('access_ended_at').first(), undefined);
    const event = await auditEvent(stack, { action: 'membership.removed', target: `user:${gus.id}` });
    assert.ok(event, 'membership.removed is audited');
    assert.equal(event.actor_label, 'sue.sponsor@passerelle.test');
    assert.equal(JSON.parse(event.details).item, 'Quality Reviews');
  });

  test('a partner asking only for Quality Reviews is routed to Sue, who decides in her inbox, not to Sam', async () => {
    const paula = new Browser();
    const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Quality Reviews'], 'I sit on the monthly quality review board.');
    await waitUntilRouted(stack, id);
    const approvers = await stack.db('access_request_approvers').join('users', 'users.id', 'access_request_approvers.user_id').where({ request_id: id }).pluck('users.email');
    assert.deepEqual(approvers, ['sue.sponsor@passerelle.test']);
    const mail = await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && m.subject.includes(`#${id}`));
    assert.match(mail.text, new RegExp(`${stack.appUrl}/inbox/${id}`));

    const owner = await sue.go(`${stack.appUrl}/owner`);
    assert.match(owner.text, /1 request waits for your decision in your inbox\./);
    const inbox = await sue.go(`${stack.appUrl}/inbox`);
    assert.match(inbox.text, new RegExp(`href="/inbox/${id}"`));
    const detail = await sue.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(detail.status, 200);
    const decided = await sue.go(`${stack.appUrl}/inbox/${id}/decision`, 'POST', { _csrf: csrfToken(detail.text)!, decision: 'approve', reason: '' });
    assert.equal(decided.status, 200);
    assert.match(decided.text, new RegExp(`Request #${id} approved`));

    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal((await sam.go(`${stack.appUrl}/inbox/${id}`)).status, 403);
    assert.doesNotMatch((await sam.go(`${stack.appUrl}/inbox`)).text, new RegExp(`/inbox/${id}"`));
    assert.ok(!stack.mail.messages().some((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`#${id}`)), 'Sam is not mailed');
    await eventually('the request provisioned', async () => (await requestRow(stack, id))?.status === 'provisioned');
  });
});
