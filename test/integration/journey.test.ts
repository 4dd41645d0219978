import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { allMailSent, auditEvent, guestsWithEmail, membershipsOf, requestRow } from '../harness/stored.ts';

const exec = promisify(execFile);
let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function passerelle(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], {
      env: { ...process.env, DATABASE_URL: stack.config.databaseUrl },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('a partner asks, a sponsor approves, the partner is invited and gets access', () => {
  const partner = new Browser();
  const sponsor = new Browser();
  let requestId = 0;

  test('the home page offers e-mail discovery and every partner organization', async () => {
    const page = await partner.go(`${stack.appUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Work e-mail address/);
    assert.match(page.text, /Sign in with Acme Industries/);
    assert.match(page.text, /Sign in with Globex/);
  });

  test('typing a work e-mail sends the partner to their own IdP', async () => {
    const home = await partner.go(`${stack.appUrl}/`);
    const page = await partner.submit(home, '/auth/discover', { email: 'paula@acme.test' });
    assert.equal(page.status, 200);
    assert.ok(page.url.startsWith(stack.issuers.acme.issuer), `ended at ${page.url}`);
    assert.match(page.text, /Acme Industries/);
  });

  test('a mistyped e-mail is answered on the form: what is wrong, next to the field, with what was typed', async () => {
    const home = await partner.go(`${stack.appUrl}/`);
    const page = await partner.submit(home, '/auth/discover', { email: 'paula.acme.test' });
    assert.equal(page.status, 400);
    assert.match(page.text, /<p class="field-error" id="email-error">(?:<span[^>]*>[^<]*<\/span> )*Enter your work e-mail address in the form name@company\.com\.<\/p>/);
    assert.match(page.text, /aria-describedby="email-hint email-error" aria-invalid=true/);
    assert.match(page.text, /value="paula\.acme\.test"/);
  });

  test('the partner signs in at Acme and submits a request for two items', async () => {
    const { id, page } = await submitAsPartner(stack, partner, 'acme', 'paula@acme.test', ['Partner Wiki', 'Project Atlas']);
    requestId = id;
    assert.match(page.text, /Your request was submitted/);
    assert.match(page.text, /Waiting for a sponsor/);
    assert.match(page.text, /Partner Wiki/);
    assert.match(page.text, /Request submitted/);
  });

  test('the sponsor is mailed a link to their inbox and sees the verified requester', async () => {
    await waitUntilRouted(stack, requestId);
    const mail = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`#${requestId}`));
    assert.match(mail.text, new RegExp(`${stack.appUrl}/inbox/${requestId}`));
    await sponsor.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const inbox = await sponsor.go(`${stack.appUrl}/inbox`);
    assert.equal(inbox.status, 200);
    assert.match(inbox.text, new RegExp(`/inbox/${requestId}`));
    const detail = await sponsor.go(`${stack.appUrl}/inbox/${requestId}`);
    assert.match(detail.text, /Paula Partner/);
    assert.match(detail.text, /paula@acme.test/);
    assert.match(detail.text, /Acme Industries/);
    assert.match(detail.text, new RegExp(stack.issuers.acme.issuer.replace(/[.]/g, '\\.')));
    assert.match(detail.text, /co-develop the Atlas gearbox/);
    assert.match(detail.text, /Project Atlas/);
    // Approve stands on its own; the reason belongs to denying, with the Deny button under it.
    const [approve, reason, deny] = ['value="approve"', 'Reason (required to deny', 'value="deny"'].map((s) => detail.text.indexOf(s));
    assert.ok(approve > 0 && approve < reason && reason < deny, `approve ${approve}, reason ${reason}, deny ${deny}`);
    assert.match(detail.text, /<legend>Or deny the request<\/legend>/);
  });

  test('the partner sees the history grow as the request is routed', async () => {
    const page = await partner.go(`${stack.appUrl}/requests/${requestId}`);
    assert.match(page.text, /Sent to sponsors for a decision/);
  });

  test('the sponsor approves; a job provisions the guest and mails an invitation', async () => {
    const page = await decide(stack, sponsor, requestId, 'approve');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`Request #${requestId} approved`));
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
    assert.match(mail.text, /Partner Wiki/);
    const request = await requestRow(stack, requestId);
    assert.equal(request.status, 'provisioned');
    const guests = await guestsWithEmail(stack, 'paula@acme.test');
    assert.equal(guests.length, 1);
    assert.equal(guests[0].state, 'invited');
    assert.equal((await membershipsOf(stack, guests[0].id)).length, 2);
  });

  test('the partner redeems the invitation: GET consumes nothing, the POST binds the identity', async () => {
    const mail = stack.mail.messages().find((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject))!;
    const link = redeemLink(mail.text);
    const fresh = new Browser(); // a mail scanner, then the partner's own browser
    const scanned = await fresh.go(link);
    assert.equal(scanned.status, 200);
    assert.match(scanned.text, /You are invited/);
    const landing = await partner.go(link);
    assert.equal(landing.status, 200);
    assert.match(landing.text, /Review permissions/);
    const review = await partner.go(`${stack.appUrl}/redeem`);
    assert.equal(review.status, 200);
    assert.match(review.text, /Partner Wiki/);
    assert.match(review.text, /Project Atlas/);
    const panel = await partner.submit(review, '/redeem', {});
    assert.equal(panel.status, 200);
    assert.ok(panel.url.endsWith('/access?welcome=1'), panel.url);
    assert.match(panel.text, /Your access is ready/);
    assert.match(panel.text, /href="https:\/\/wiki.passerelle.test\/"/);
    assert.match(panel.text, /Project Atlas/);
    const identity = await stack.db('user_identities').where({ issuer: stack.issuers.acme.issuer, subject: 'acme-paula' }).first();
    assert.ok(identity, 'identity bound');
    const again = await fresh.go(link);
    assert.equal(again.status, 404);
    assert.match(again.text, /not valid/);
    // Her request now says she took the access up, in its status and its history.
    const requests = await partner.go(`${stack.appUrl}/requests`);
    assert.match(requests.text, /Accepted: your access is ready/);
    const request = await partner.go(`${stack.appUrl}/requests/${requestId}`);
    assert.match(request.text, /Accepted: your access is ready/);
    assert.match(request.text, /Invitation accepted/);
    // The sign-in she redeemed with counts as her last sign-in, on the admin's page of her.
    const paula = (await stack.db('users').where({ email: 'paula@acme.test', user_type: 'guest' }).first()) as { id: number };
    const admin = new Browser();
    await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const guestPage = await admin.go(`${stack.appUrl}/admin/guests/${paula.id}`);
    const today = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
    assert.match(guestPage.text, new RegExp(`<dt>Last sign-in</dt><dd>${today}, \\d\\d:\\d\\d UTC</dd>`));
  });

  test('an admin reads every step in the audit log, newest first, and can filter it', async () => {
    const admin = new Browser();
    await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const page = await admin.go(`${stack.appUrl}/admin/audit?target=${encodeURIComponent(`request:${requestId}`)}`);
    assert.equal(page.status, 200);
    const actions = [...page.text.matchAll(/<code>([a-z_.]+)<\/code>/g)].map((m) => m[1]);
    assert.deepEqual(actions, ['request.accepted', 'request.provisioned', 'request.approved', 'request.routed', 'request.submitted']);
    const byActor = await admin.go(`${stack.appUrl}/admin/audit?actor=paula%40acme.test&action=invitation.redeemed`);
    // Each event names its action once, in <code>; the action filter lists every action besides.
    const shown = [...byActor.text.matchAll(/<code>([a-z_.]+)<\/code>/g)].map((m) => m[1]);
    assert.ok(shown.includes('invitation.redeemed'), shown.join());
    assert.ok(!shown.includes('request.approved'), shown.join());
  });

  test('passerelle audit verify passes, then names the first tampered event', async () => {
    await eventually('all mail sent', () => allMailSent(stack));
    const ok = await passerelle('audit', 'verify');
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /intact/);
    const victim = await auditEvent(stack, { action: 'request.approved' });
    await stack.db('audit_events').where({ seq: victim.seq }).update({ details: '{"reason":"edited"}' });
    const bad = await passerelle('audit', 'verify');
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(`event ${victim.seq}\\b`));
    await stack.db('audit_events').where({ seq: victim.seq }).update({ details: victim.details });
    assert.equal((await passerelle('audit', 'verify')).code, 0, 'restored');

    // Reordered: two neighbours swap places (their sequence numbers stay where they were).
    const [a, b] = await stack.db('audit_events').where('seq', '>', victim.seq).orderBy('seq').limit(2);
    const { seq: _sa, ...restA } = a;
    const { seq: _sb, ...restB } = b;
    await stack.db('audit_events').where({ seq: a.seq }).update(restB);
    await stack.db('audit_events').where({ seq: b.seq }).update(restA);
    const swapped = await passerelle('audit', 'verify');
    assert.equal(swapped.code, 1);
    assert.match(swapped.out, new RegExp(`event ${a.seq}\\b`));
    await stack.db('audit_events').where({ seq: a.seq }).update(restA);
    await stack.db('audit_events').where({ seq: b.seq }).update(restB);

    // Deleted: the event after the gap is named.
    await stack.db('audit_events').where({ seq: a.seq }).delete();
    const deleted = await passerelle('audit', 'verify');
    assert.equal(deleted.code, 1);
    assert.match(deleted.out, new RegExp(`event ${a.seq}\\b`));
    await stack.db('audit_events').insert(a);
    assert.equal((await passerelle('audit', 'verify')).code, 0, 'restored');
  });
});
