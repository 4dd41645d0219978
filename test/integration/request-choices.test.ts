// What a partner and a sponsor choose about a request beyond yes or no (issue 17, point 7): her
// display name (a partner signed in with a code is not "olga"), the last day of her access within the
// items' longest, and a sponsor approving some items, denying others and shortening the access. Both
// choices are stored, shown to the partner, in the request's history and in the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds, waitUntilRouted } from '../harness/flows.ts';
import { auditEvent, countRows, guestByEmail, membershipsOf, requestRow } from '../harness/stored.ts';

let stack: Stack;
const DAY = 24 * 3600 * 1000;
const day = (fromNow: number) => new Date(Date.now() + fromNow * DAY).toISOString().slice(0, 10);
/** How a page writes a calendar day (en-GB, medium), as Intl does in UTC. */
const shown = (d: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${d}T12:00:00Z`));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const idOf = (url: string) => Number(/\/requests\/(\d+)/.exec(url)?.[1]);

describe('the partner chooses her name and how long she needs the access', () => {
  const paula = new Browser();

  test('the form offers her name from her IdP, a date field bounded by tomorrow, and each item’s limit', async () => {
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    assert.equal(form.status, 200);
    assert.match(form.text, /<input id="displayName" name="displayName" type="text" maxlength="100"[^>]*value="Paula Partner"/);
    assert.match(form.text, new RegExp(`<input id="accessUntil" name="accessUntil" type="date" min="${day(1)}"`));
    assert.match(form.text, /up to 180 days/, 'Partner Wiki’s limit');
    assert.match(form.text, /up to 90 days/, 'Project Atlas’s limit');
    assert.match(form.text, /Leave it empty to get the longest access/);
  });

  test('a date beyond the items’ longest access, a past date or an empty name is refused on the form, and nothing is stored', async () => {
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    const items = await catalogIds(stack, ['Partner Wiki', 'Project Atlas']);
    const before = await countRows(stack, 'access_requests');
    const base = { items, justification: 'We co-develop the Atlas gearbox.', displayName: 'Paula Partner' };

    const beyond = await paula.submit(form, '/requests', { ...base, accessUntil: day(200) });
    assert.equal(beyond.status, 400);
    assert.match(beyond.text, new RegExp(`<p class="field-error" id="accessUntil-error">(?:<span[^>]*>[^<]*<\\/span> )*Choose ${esc(shown(day(180)))} or earlier: that is the longest these items allow\\.</p>`));
    assert.match(beyond.text, new RegExp(`value="${day(200)}"`), 'what she typed is kept');
    assert.match(beyond.text, /We co-develop the Atlas gearbox\./);

    const past = await paula.submit(form, '/requests', { ...base, accessUntil: day(-1) });
    assert.equal(past.status, 400);
    assert.match(past.text, /id="accessUntil-error">(?:<span[^>]*>[^<]*<\/span> )*Choose a day after today\./);

    const garbled = await paula.submit(form, '/requests', { ...base, accessUntil: '2027-02-30' });
    assert.equal(garbled.status, 400);
    assert.match(garbled.text, /id="accessUntil-error">(?:<span[^>]*>[^<]*<\/span> )*Enter a date as year-month-day/);

    const unnamed = await paula.submit(form, '/requests', { ...base, displayName: '   ' });
    assert.equal(unnamed.status, 400);
    assert.match(unnamed.text, /id="displayName-error">(?:<span[^>]*>[^<]*<\/span> )*Give the name you want to be known by\./);
    const long = await paula.submit(form, '/requests', { ...base, displayName: 'P'.repeat(101) });
    assert.equal(long.status, 400);
    assert.match(long.text, /id="displayName-error">(?:<span[^>]*>[^<]*<\/span> )*Use 100 characters or fewer\./);

    assert.equal(await countRows(stack, 'access_requests'), before);
  });

  test('left empty, no day is asked: each item will last its own longest from the day it is granted', async () => {
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    const page = await paula.submit(form, '/requests', {
      items: await catalogIds(stack, ['Project Atlas']),
      justification: 'Joining the Atlas engineering team.',
      displayName: 'Paula Partner',
      accessUntil: '',
    });
    assert.equal(page.status, 200);
    const row = await requestRow(stack, idOf(page.url));
    assert.equal(row.requested_until, null, 'a late decision must not shorten what the items allow');
    assert.match(page.text, /Access asked until<\/dt>\s*<dd>No end date/);
    // The sponsor reads that she asked for none, and how far the items allow.
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    await waitUntilRouted(stack, idOf(page.url));
    const decision = await sam.go(`${stack.appUrl}/inbox/${idOf(page.url)}`);
    assert.match(decision.text, /The requester asked for no end date; the items allow access until \d+ \w+ \d{4} at most\./);
  });

  test('a day asked that passed while the request waited: the sponsor grants what the items allow from the decision', async () => {
    const form = await paula.go(`${stack.appUrl}/requests/new`);
    const page = await paula.submit(form, '/requests', {
      items: await catalogIds(stack, ['Project Atlas']),
      justification: 'Back on the Atlas team after a long leave.',
      displayName: 'Paula Partner',
      accessUntil: day(10),
    });
    const id = idOf(page.url);
    await waitUntilRouted(stack, id);
    // The decision comes after the day she asked for.
    await stack.db('access_requests').where({ id }).update({ requested_until: day(-2) });
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const decision = await sam.go(`${stack.appUrl}/inbox/${id}`);
    assert.match(decision.text, new RegExp(`<input id="accessUntil" name="accessUntil" type="date" min="${day(1)}" max="${day(90)}" value=""`));
    const done = await sam.submit(decision, `/inbox/${id}/decision`, { decision: 'approve', reason: '', accessUntil: '' });
    assert.equal(done.status, 200, done.text.slice(0, 400));
    await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned');
    const guest = await guestByEmail(stack, 'paula@acme.test');
    const [atlas] = await membershipsOf(stack, guest.id);
    assert.ok(atlas.expires_at.slice(0, 10) >= day(89), `ends ${atlas.expires_at}, the item's 90 days from the decision`);
  });
});

describe('a sponsor approves some items, denies others and shortens the access', () => {
  const pete = new Browser();
  const sam = new Browser();
  let id = 0;
  const asked = day(120);
  const granted = day(60);

  before(async () => {
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const form = await pete.go(`${stack.appUrl}/requests/new`);
    const page = await pete.submit(form, '/requests', {
      items: await catalogIds(stack, ['Partner Wiki', 'Project Atlas']),
      justification: 'We co-develop the Atlas gearbox and need the shared specifications.',
      displayName: 'Pete P. Peer',
      accessUntil: asked,
    });
    assert.equal(page.status, 200, page.text.slice(0, 500));
    id = idOf(page.url);
    await waitUntilRouted(stack, id);
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  });

  test('the sponsor reads the name and date asked, every item ticked, the date bounded by the one asked', async () => {
    const page = await sam.go(`${stack.appUrl}/inbox/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Request #\d+ from Pete P\. Peer/);
    const [wiki, atlas] = await catalogIds(stack, ['Partner Wiki', 'Project Atlas']);
    for (const item of [wiki, atlas]) assert.match(page.text, new RegExp(`name="approve" value="${item}" checked`));
    assert.match(page.text, new RegExp(`type="date" min="${day(1)}" max="${asked}" value="${asked}"`));
    assert.match(page.text, new RegExp(`asked for access until ${esc(shown(asked))}`));
  });

  test('a date later than the one asked, unticked items without a reason, or nothing ticked are refused and change nothing', async () => {
    const page = await sam.go(`${stack.appUrl}/inbox/${id}`);
    const [wiki] = await catalogIds(stack, ['Partner Wiki']);
    const later = await sam.submit(page, `/inbox/${id}/decision`, { decision: 'approve', itemsListed: '1', approve: [wiki], itemsReason: 'Atlas is full.', accessUntil: day(121) });
    assert.equal(later.status, 400);
    assert.match(later.text, new RegExp(`id="accessUntil-error">(?:<span[^>]*>[^<]*<\\/span> )*Choose ${esc(shown(asked))} or earlier: you can shorten the access asked for, not lengthen it\\.`));
    const noReason = await sam.submit(page, `/inbox/${id}/decision`, { decision: 'approve', itemsListed: '1', approve: [wiki], accessUntil: granted });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /id="itemsReason-error">(?:<span[^>]*>[^<]*<\/span> )*Say why the unticked items are denied/);
    assert.doesNotMatch(noReason.text, /name="approve" value="\d+" checked[^]*name="approve" value="\d+" checked/, 'the unticked box stays unticked');
    const none = await sam.submit(page, `/inbox/${id}/decision`, { decision: 'approve', itemsListed: '1', accessUntil: granted });
    assert.equal(none.status, 400);
    assert.match(none.text, /id="items-error">(?:<span[^>]*>[^<]*<\/span> )*Tick at least one item to approve/);
    const row = await requestRow(stack, id);
    assert.equal(row.status, 'pending');
    assert.equal(row.granted_until, null);
  });

  test('approving one item of two, until an earlier day: only it is granted, until that day, and the audit says so', async () => {
    const page = await sam.go(`${stack.appUrl}/inbox/${id}`);
    const [wiki] = await catalogIds(stack, ['Partner Wiki']);
    const done = await sam.submit(page, `/inbox/${id}/decision`, { decision: 'approve', reason: '', itemsListed: '1', approve: [wiki], itemsReason: 'The Atlas team is full this quarter.', accessUntil: granted });
    assert.equal(done.status, 200);
    assert.match(done.text, new RegExp(`Request #${id} approved`));

    const row = await eventually('provisioned', async () => {
      const r = await requestRow(stack, id);
      return r.status === 'provisioned' && r;
    });
    assert.equal(row.requested_until, asked);
    assert.equal(row.granted_until, granted);
    assert.equal(row.decision_reason, 'The Atlas team is full this quarter.');
    const decisions = await stack.db('access_request_items').join('catalog_items', 'catalog_items.id', 'access_request_items.item_id').where({ request_id: id }).orderBy('name').select('name', 'decision');
    assert.deepEqual(decisions.map((d) => [d.name, d.decision]), [['Partner Wiki', 'approved'], ['Project Atlas', 'denied']]);

    const approved = await auditEvent(stack, { action: 'request.approved', target: `request:${id}` });
    const details = JSON.parse(approved.details);
    assert.deepEqual(details.approvedItems, ['Partner Wiki']);
    assert.deepEqual(details.deniedItems, ['Project Atlas']);
    assert.equal(details.accessUntil, granted);
    assert.equal(details.requestedUntil, asked);

    const guest = await guestByEmail(stack, 'pete@acme.test');
    assert.equal(guest.display_name, 'Pete P. Peer', 'the name she gave');
    const memberships = await membershipsOf(stack, guest.id);
    assert.equal(memberships.length, 1, 'only the approved item');
    assert.equal(memberships[0].item_id, Number(wiki));
    assert.equal(memberships[0].expires_at, `${granted}T23:59:59.999Z`);

    const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject));
    assert.match(mail.text, /Approved:\nPartner Wiki\n/);
    assert.match(mail.text, /Not approved:\nProject Atlas — The Atlas team is full this quarter\./);
    assert.doesNotMatch(mail.text, /A message from/, 'the decision is no personal message');
  });

  test('the partner sees which items were approved and which denied, the day granted and the day asked', async () => {
    const page = await pete.go(`${stack.appUrl}/requests/${id}`);
    assert.match(page.text, /Partner Wiki <span class="kind">Application<\/span> <span class="status status-approved">Approved<\/span>/);
    assert.match(page.text, /Project Atlas <span class="kind">Group<\/span> <span class="status status-denied">Denied<\/span>/);
    assert.match(page.text, new RegExp(`Access until</dt>\\s*<dd><time datetime="${granted}">${esc(shown(granted))}</time>`));
    assert.match(page.text, new RegExp(`Shortened by your sponsor from ${esc(shown(asked))}\\.`));
    assert.match(page.text, /The Atlas team is full this quarter\./);
    assert.match(page.text, /Approved\s*Approved: Partner Wiki\. Denied: Project Atlas\./, 'in the history');
    assert.match(page.text, new RegExp(`Access until ${esc(shown(granted))}\\.`));
    const list = await pete.go(`${stack.appUrl}/requests`);
    assert.match(list.text, /1 item denied/);
    assert.match(list.text, new RegExp(`<time datetime="${granted}">`));
  });

  test('after accepting, My access shows the day her access ends', async () => {
    const mail = stack.mail.messages().find((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject))!;
    await pete.go(redeemLink(mail.text));
    const review = await pete.go(`${stack.appUrl}/redeem`);
    const panel = await pete.submit(review, '/redeem', {});
    assert.equal(panel.status, 200);
    assert.match(panel.text, new RegExp(`Until ${esc(shown(granted))}`));
    assert.doesNotMatch(panel.text, /Project Atlas/);
    assert.match(panel.text, /Pete P\. Peer/, 'the header names her as she chose');
  });
});

describe('a partner signed in with a code names herself', () => {
  const nina = new Browser();
  const ada = new Browser();

  async function signInWithCode(b: Browser, email: string) {
    const CODE = /[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6}/;
    const codeMails = () => stack.mail.messages().filter((m) => m.to.includes(email) && CODE.test(m.text));
    const sent = codeMails().length;
    const home = await b.go(`${stack.appUrl}/`);
    const page = await b.submit(home, '/auth/discover', { email });
    await stack.mail.waitFor(() => codeMails().length > sent);
    const mail = codeMails().at(-1)!;
    const code = CODE.exec(mail.text)![0];
    return b.submit(page, '/auth/email-code/verify', { email, code });
  }

  test('the form does not offer her address’s local part as her name, and needs one', async () => {
    await signInWithCode(nina, 'nina@nowhere-corp.test');
    const form = await nina.go(`${stack.appUrl}/requests/new`);
    assert.equal(form.status, 200);
    assert.match(form.text, /name="displayName" type="text" maxlength="100" autocomplete="name" required value=""/);
    const items = await catalogIds(stack, ['Partner Wiki']);
    const refused = await nina.submit(form, '/requests', { items, justification: 'Freelance translator for the wiki.', displayName: '' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Give the name you want to be known by\./);
    const page = await nina.submit(form, '/requests', { items, justification: 'Freelance translator for the wiki.', displayName: '  Nina   Novak ' });
    assert.equal(page.status, 200);
    assert.equal((await requestRow(stack, idOf(page.url))).requester_name, 'Nina Novak', 'trimmed, spaces folded');
    assert.match(page.text, /Nina Novak/, 'the header names her so from now on');
    const again = await nina.go(`${stack.appUrl}/requests/new`);
    assert.match(again.text, /name="displayName"[^>]*value="Nina Novak"/, 'offered again next time');
  });

  test('her invitation and her guest account carry that name, kept at sign-in; a new name on a later request renames her, audited', async () => {
    const requestId = (await stack.db('access_requests').where({ requester_email: 'nina@nowhere-corp.test' }).first()).id;
    await waitUntilRouted(stack, requestId);
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const detail = await ada.go(`${stack.appUrl}/inbox/${requestId}`);
    assert.match(detail.text, /Request #\d+ from Nina Novak/);
    await ada.submit(detail, `/inbox/${requestId}/decision`, { decision: 'approve', reason: '' });
    const mail = await stack.mail.waitFor((m) => m.to.includes('nina@nowhere-corp.test') && /invited/i.test(m.subject));
    assert.equal((await guestByEmail(stack, 'nina@nowhere-corp.test')).display_name, 'Nina Novak');

    await nina.go(redeemLink(mail.text));
    const review = await nina.go(`${stack.appUrl}/redeem`);
    assert.equal((await nina.submit(review, '/redeem', {})).status, 200);
    assert.equal((await guestByEmail(stack, 'nina@nowhere-corp.test')).display_name, 'Nina Novak', 'redeeming with a code keeps her name');

    const later = new Browser();
    await signInWithCode(later, 'nina@nowhere-corp.test');
    const guest = await guestByEmail(stack, 'nina@nowhere-corp.test');
    assert.equal(guest.display_name, 'Nina Novak', 'signing in again keeps it');
    const form = await later.go(`${stack.appUrl}/requests/new`);
    assert.match(form.text, /name="displayName"[^>]*value="Nina Novak"/);
    const page = await later.submit(form, '/requests', { items: await catalogIds(stack, ['Supplier Portal']), justification: 'Translating the supplier documents too.', displayName: 'Nina Novak-Petit' });
    assert.equal(page.status, 200);
    assert.equal((await guestByEmail(stack, 'nina@nowhere-corp.test')).display_name, 'Nina Novak-Petit');
    const renamed = await auditEvent(stack, { action: 'guest.renamed', target: `user:${guest.id}` });
    assert.deepEqual(JSON.parse(renamed.details).changes.display_name, ['Nina Novak', 'Nina Novak-Petit']);
  });
});

describe('a partner changes her name from her profile', () => {
  test('reachable from the header; the name is checked, then kept on her guest account and open requests, audited', async () => {
    const gary = new Browser();
    const landed = await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
    assert.match(landed.text, /<a class="who" href="\/profile"[^>]*>Signed in as Gary Guest \(gary@globex\.test\)<\/a>/);
    const form = await gary.submit(await gary.go(`${stack.appUrl}/requests/new`), '/requests', {
      items: await catalogIds(stack, ['Partner Wiki']),
      justification: 'Globex writes the wiki’s gearbox pages.',
    });
    const id = idOf(form.url);
    assert.equal((await requestRow(stack, id)).requester_name, 'Gary Guest', 'no name sent: her IdP’s');

    const profile = await gary.go(`${stack.appUrl}/profile`);
    assert.equal(profile.status, 200);
    assert.match(profile.text, /name="displayName"[^>]*value="Gary Guest"/);
    const bad = await gary.submit(profile, '/profile', { displayName: '<b>Gary</b>' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="displayName-error">(?:<span[^>]*>[^<]*<\/span> )*Use letters, spaces and punctuation only/);
    const saved = await gary.submit(profile, '/profile', { displayName: 'Gary G. Guest' });
    assert.equal(saved.status, 200);
    assert.match(saved.text, /Your name was saved\./);
    assert.match(saved.text, /Signed in as Gary G\. Guest/);
    assert.equal((await requestRow(stack, id)).requester_name, 'Gary G. Guest', 'the open request carries it to the sponsor');
    const updated = await auditEvent(stack, { action: 'profile.updated' });
    assert.deepEqual(JSON.parse(updated.details), { displayName: 'Gary G. Guest', requests: [`request:${id}`] });

    // A member's name is our directory's: no profile for her.
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    assert.equal((await sam.go(`${stack.appUrl}/profile`)).status, 403);
  });
});
