// Invitation tokens and one-time codes (ASVS V2.7, V3.5, V6.2): nothing the database holds works as
// one, and every dead or made-up token gets the same answer.
//
// Tokens and codes are issued by the real flows (a partner's request approved by a sponsor, an admin's
// direct invitations, a resend, a reset, one-time codes by e-mail), read from the captured mail, then
// every column of every table is dumped and every string in it (and every base64url, hex or base32
// run inside one) is tried as a token and as a code while live ones exist: none may work. Live tokens
// and codes are tried the same way before and after, so the probe is shown to notice one that works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, redeemLink, type Page } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { dumpDatabase, stringsIn, tableNames } from '../harness/dbDump.ts';
import { expireInvitations } from '../harness/rowEdits.ts';
import { allMailSent, guestByEmail } from '../harness/stored.ts';

let stack: Stack;
const t: Record<string, string> = {}; // tokens by name, from the mails
const codes: Record<string, string> = {}; // one-time codes by address, from the mails
const paula = new Browser();
let paulaReview: Page;

const tokenOf = (link: string) => link.split('/redeem/')[1];
const invitationMails = (to: string) => stack.mail.messages().filter((m) => m.to.includes(to) && /\/redeem\//.test(m.text));

async function nthInvitationToken(to: string, n: number): Promise<string> {
  const mails = await eventually(`invitation mail #${n} to ${to}`, async () => (invitationMails(to).length >= n ? invitationMails(to) : null));
  return tokenOf(redeemLink(mails[n - 1].text));
}

async function askForCode(email: string): Promise<{ b: Browser; page: Page; code: string }> {
  const b = new Browser();
  const page = await b.submit(await b.go(`${stack.appUrl}/`), '/auth/discover', { email });
  assert.equal(page.status, 200);
  const mail = await stack.mail.waitFor((m) => m.to.includes(email));
  const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(mail.text)?.[1];
  assert.ok(code, mail.text);
  return { b, page, code: code! };
}

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_REDEEM_PER_MINUTE: '100000', RATE_LIMIT_SIGNIN_PER_MINUTE: '100000' } });
  // A partner's request, approved: the provisioning job mails an invitation.
  const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']);
  await waitUntilRouted(stack, id);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await decide(stack, sam, id, 'approve');
  t.paula = await nthInvitationToken('paula@acme.test', 1);

  // An admin invites two people directly, then resends Pete's invitation (the first link dies).
  const admin = new Browser();
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  const form = await admin.go(`${stack.appUrl}/invitations`);
  const batch = await admin.submit(form, '/invitations', { emails: 'pete@acme.test\nexpire@newco.test', items: await catalogIds(stack, ['Partner Wiki']) });
  assert.equal(batch.status, 200, batch.text.slice(0, 300));
  t.peteFirst = await nthInvitationToken('pete@acme.test', 1);
  t.expired = await nthInvitationToken('expire@newco.test', 1);
  const pete = await guestByEmail(stack, 'pete@acme.test');
  const resent = await admin.submit(await admin.go(`${stack.appUrl}/admin/guests/${pete.id}`), `/admin/guests/${pete.id}/resend`, {});
  assert.equal(resent.status, 200);
  t.pete = await nthInvitationToken('pete@acme.test', 2);

  // Paula opens her link and reaches the review page; then an admin resets her redemption, which
  // revokes that invitation (and mails a new one).
  assert.equal((await paula.go(`${stack.appUrl}/redeem/${t.paula}`)).status, 200);
  paulaReview = await paula.go(`${stack.appUrl}/redeem`);
  assert.match(paulaReview.text, /Review permissions/);
  const guest = await guestByEmail(stack, 'paula@acme.test');
  const reset = await admin.submit(await admin.go(`${stack.appUrl}/admin/guests/${guest.id}`), `/admin/guests/${guest.id}/reset`, {});
  assert.equal(reset.status, 200);
  t.revoked = t.paula;
  t.paulaNew = await nthInvitationToken('paula@acme.test', 2);

  // The expired one: fourteen days pass (its expiry is moved into the past, as the clock would).
  await expireInvitations(stack, { email: 'expire@newco.test' });

  // One-time codes: Max's is used, Olga's is still waiting to be typed.
  const max = await askForCode('max@nowhere-corp.test');
  const used = await max.b.submit(max.page, '/auth/email-code/verify', { email: 'max@nowhere-corp.test', code: max.code });
  assert.ok(used.url.endsWith('/requests'), used.url);
  codes['max@nowhere-corp.test'] = max.code;
  codes['olga@nowhere-corp.test'] = (await askForCode('olga@nowhere-corp.test')).code;
  await eventually('all mail sent', () => allMailSent(stack));
});
after(async () => {
  await stack?.stop();
});

/** Redeem `token` the way the app's routes define it: GET the link, then POST the acceptance. */
async function tryToken(b: Browser, token: string): Promise<{ get: number; post: number }> {
  const get = await b.request('GET', `${stack.appUrl}/redeem/${encodeURIComponent(token)}`);
  const post = await b.request('POST', `${stack.appUrl}/redeem`, { _csrf: csrfToken(get.text) ?? '' });
  return { get: get.status, post: post.status };
}

async function tryCode(b: Browser, csrf: string, email: string, code: string): Promise<number> {
  return (await b.request('POST', `${stack.appUrl}/auth/email-code/verify`, { _csrf: csrf, email, code })).status;
}

test('no value stored anywhere in the database works as an invitation token or a one-time code', async (ctx) => {
  const tables = await tableNames(stack.db);
  for (const must of ['invitations', 'one_time_codes', 'sessions', 'audit_events', 'mail_messages', 'outbox']) assert.ok(tables.includes(must), `${must} in ${tables}`);
  const candidates = [...stringsIn(await dumpDatabase(stack.db))];
  assert.ok(candidates.length > 200, `only ${candidates.length} candidates`);
  ctx.diagnostic(`trying ${candidates.length} values from ${tables.length} tables`);
  // The tokens and codes themselves must not be among them (only hashes are stored).
  const issued = [...Object.values(t), ...Object.values(codes), ...Object.values(codes).map((c) => c.replace(/-/g, ''))];
  assert.deepEqual(candidates.filter((c) => issued.some((i) => c.includes(i))), []);

  // The probe notices a live token: Pete's current link opens (GET consumes nothing).
  assert.equal((await new Browser().request('GET', `${stack.appUrl}/redeem/${t.pete}`)).status, 200);

  // Pete, signed in, is the one who could accept a live invitation of his; a stranger tries the codes.
  const prober = new Browser();
  await prober.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  const stranger = new Browser();
  const csrf = csrfToken((await stranger.go(`${stack.appUrl}/`)).text)!;
  const worked: string[] = [];
  const started = Date.now();
  // The two probes are independent people: they run side by side.
  await Promise.all([
    (async () => {
      for (const c of candidates) {
        const r = await tryToken(prober, c);
        if (r.get !== 404 || r.post !== 404) worked.push(`token ${JSON.stringify(c.slice(0, 80))}: GET ${r.get}, POST ${r.post}`);
      }
    })(),
    (async () => {
      for (const c of candidates) {
        const status = await tryCode(stranger, csrf, 'olga@nowhere-corp.test', c);
        if (status !== 401 && status !== 400) worked.push(`code ${JSON.stringify(c.slice(0, 80))}: ${status}`);
      }
    })(),
  ]);
  ctx.diagnostic(`probes took ${Date.now() - started} ms`);
  assert.deepEqual(worked, []);

  // And the live ones still work, so the probes above ran against something that could be opened.
  const olga = await tryCode(stranger, csrf, 'olga@nowhere-corp.test', codes['olga@nowhere-corp.test']);
  assert.equal(olga, 303, 'Olga’s real code signs in');
  const accepted = await tryToken(prober, t.pete);
  assert.deepEqual(accepted, { get: 200, post: 303 }, 'Pete’s real link is accepted');
});

/** The page as anyone would compare it: request ids and CSRF tokens differ by nature. */
const normalized = (text: string) =>
  text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="<csrf>"')
    // The language switch posts back to the address asked for, whatever it was.
    .replace(/name="back" value="[^"]*"/g, 'name="back" value="<here>"');

test('made-up, revoked, superseded, expired and used tokens all get the same answer', async () => {
  const shapes: Record<string, string> = {
    'a space': '%20',
    'a NUL byte': '%00',
    'a dash': '-',
    'one character': 'a',
    '42 characters': 'A'.repeat(42),
    '44 characters': 'A'.repeat(44),
    '4000 characters': 'A'.repeat(4000),
    'random, right shape': randomBytes(32).toString('base64url'),
    'random, right shape, lower case': randomBytes(32).toString('base64url').toLowerCase(),
    'unicode': encodeURIComponent('jeton-é-✓-🙂'),
    'unicode, 43 characters': encodeURIComponent('é'.repeat(43)),
    'path traversal': '..%2F..%2Fadmin',
    'dot dot': '..%2F',
    'quote and SQL': encodeURIComponent("' OR '1'='1"),
    'HTML': encodeURIComponent('<script>alert(1)</script>'),
    'revoked (redemption reset)': t.revoked,
    'superseded by a resend': t.peteFirst,
    'expired': t.expired,
    'already used': t.pete, // accepted at the end of the test above
    'the hash of a live token': (await stack.db('invitations').where({ email: 'paula@acme.test', status: 'pending' }).first()).token_hash,
  };
  const stranger = new Browser();
  const answers = new Map<string, string[]>();
  for (const [shape, token] of Object.entries(shapes)) {
    const page = await stranger.request('GET', `${stack.appUrl}/redeem/${token}`);
    const key = `${page.status}\n${normalized(page.text)}`;
    answers.set(key, [...(answers.get(key) ?? []), shape]);
  }
  assert.equal(answers.size, 1, `different answers: ${[...answers.values()].map((s) => s.join(', ')).join(' | ')}`);
  const [only] = answers.keys();
  assert.match(only, /^404\n/);
  assert.match(only, /This invitation link is not valid/);

  // Paula had opened her link before it was revoked; accepting now gets what a stranger's made-up link
  // gets, on her signed-in page.
  const late = await paula.request('POST', `${stack.appUrl}/redeem`, { _csrf: csrfToken(paulaReview.text)! });
  const madeUp = await paula.request('GET', `${stack.appUrl}/redeem/${randomBytes(32).toString('base64url')}`);
  assert.equal(late.status, 404);
  assert.equal(normalized(late.text), normalized(madeUp.text));
  assert.equal((await stack.db('invitations').where({ email: 'paula@acme.test', status: 'redeemed' })).length, 0);
});
