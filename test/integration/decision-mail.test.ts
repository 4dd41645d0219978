// The mail that follows a sponsor's partial approval says what was decided, in the partner's
// language: the items approved, those not approved and why, and the day her access ends, in the
// text and the HTML part, as details of its own (not words put into a sponsor's personal message).
// A French partner reads it all in French, her date as French writes it; an admin's wording can
// place the same facts with {approved}, {denied}, {reason} and {accessUntil}.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { requestRow } from '../harness/stored.ts';
import type { CapturedMail } from '../../src/demo/mailCatcher.ts';

let stack: Stack;
const ada = new Browser();
const DAY = 24 * 3600 * 1000;
const day = (fromNow: number) => new Date(Date.now() + fromNow * DAY).toISOString().slice(0, 10);
/** A calendar day as a mail writes it in each language (Intl, long, UTC). */
const longDay = (d: string, tag: 'en-GB' | 'fr-FR') => new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${d}T12:00:00Z`));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The HTML part's text with its tags and line breaks out, entities read back. */
const htmlText = (mail: CapturedMail) =>
  mail
    .html!.replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/[ \t]+/g, ' ');

before(async () => {
  stack = await startStack();
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

/** A partner (signed in at `slug`'s IdP unless already) asks for two items until `asked`; the admin approves the first only, until `granted`. */
async function partlyApproved(partner: Browser, slug: string | null, email: string, asked: string, granted: string, reason: string, names = ['Partner Wiki', 'Project Atlas']): Promise<number> {
  if (slug) await partner.signIn(stack.appUrl, slug, email);
  const form = await partner.go(`${stack.appUrl}/requests/new`);
  const [wiki] = await catalogIds(stack, [names[0]!]);
  const items = await catalogIds(stack, names);
  const page = await partner.submit(form, '/requests', { items, justification: 'We co-develop the Atlas gearbox.', accessUntil: asked });
  assert.equal(page.status, 200, page.text.slice(0, 500));
  const id = Number(/\/requests\/(\d+)/.exec(page.url)?.[1]);
  await waitUntilRouted(stack, id);
  const inbox = await ada.go(`${stack.appUrl}/inbox/${id}`);
  const done = await ada.submit(inbox, `/inbox/${id}/decision`, { decision: 'approve', reason: '', itemsListed: '1', approve: [wiki!], itemsReason: reason, accessUntil: granted });
  assert.equal(done.status, 200, done.text.slice(0, 500));
  await eventually(`request ${id} provisioned`, async () => (await requestRow(stack, id)).status === 'provisioned');
  return id;
}

describe('the invitation after a partial approval', () => {
  test('in English: approved, not approved with the reason, and the end date, in the text and the HTML part; the personal message holds none of it', async () => {
    const granted = day(60);
    const reason = 'The Atlas team is full <this quarter> & next.';
    await partlyApproved(new Browser(), 'acme', 'pete@acme.test', day(80), granted, reason);
    const mail = await stack.mail.waitFor((m) => m.to.includes('pete@acme.test') && /invited/i.test(m.subject));
    assert.match(mail.subject, /^You are invited to Partner Wiki$/, 'the subject names what was granted');

    assert.match(mail.text, /Approved:\nPartner Wiki\n/);
    assert.match(mail.text, new RegExp(`Not approved:\\nProject Atlas — ${esc(reason)}\\n`));
    assert.match(mail.text, new RegExp(`Duration:\\nYour access ends on ${esc(longDay(granted, 'en-GB'))}\\.`));
    assert.doesNotMatch(mail.text, /A message from/, 'no personal message was written for her');

    const html = mail.html!;
    assert.match(html, /<html lang="en">/);
    assert.ok(!html.includes('<this quarter>'), 'the reason is escaped in the HTML part');
    assert.match(html, /Project Atlas — The Atlas team is full &#60;this quarter&#62; &#38; next\./);
    const text = htmlText(mail);
    assert.match(text, /Approved\s+Partner Wiki/);
    assert.match(text, new RegExp(`Not approved\\s+Project Atlas — ${esc(reason)}`));
    assert.match(text, new RegExp(`Duration\\s+Your access ends on ${esc(longDay(granted, 'en-GB'))}\\.`));
    assert.doesNotMatch(text, /A message from/);
  });

  test('in French, for a partner whose organization reads French: the same, with the date as French writes it', async () => {
    const globex = await stack.db('partner_organizations').where({ name: 'Globex' }).first('id');
    assert.ok(globex, 'the demo has Globex');
    await stack.db('partner_organizations').where({ id: globex.id }).update({ language: 'fr' });
    const granted = day(45);
    const gary = new Browser();
    await partlyApproved(gary, 'globex', 'gary@globex.test', day(85), granted, 'L’équipe Atlas est complète ce trimestre.');
    const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && /invité/i.test(m.subject));
    assert.equal(mail.subject, 'Vous êtes invité à accéder à Partner Wiki');
    const french = longDay(granted, 'fr-FR');
    assert.match(french, /^\d{1,2} [a-zéû]+ \d{4}$/, `a French date: ${french}`);

    assert.match(mail.text, /Approuvé :\nPartner Wiki\n/);
    assert.match(mail.text, /Non approuvé :\nProject Atlas — L’équipe Atlas est complète ce trimestre\.\n/);
    assert.match(mail.text, new RegExp(`Durée :\\nVotre accès prend fin le ${esc(french)}\\.`));
    assert.doesNotMatch(mail.text, /Approved|Not approved|ends on/);

    assert.match(mail.html!, /<html lang="fr">/);
    const text = htmlText(mail);
    assert.match(text, /Approuvé\s+Partner Wiki/);
    assert.match(text, /Non approuvé\s+Project Atlas — L’équipe Atlas est complète ce trimestre\./);
    assert.match(text, new RegExp(`Durée\\s+Votre accès prend fin le ${esc(french)}\\.`));
    assert.doesNotMatch(text, /Message de/, 'no personal message was written for him');

    // Accepted, Gary is a guest: his next partial approval comes as "access ready", in French too,
    // and an admin's French wording places the decision with its placeholders.
    await gary.go(redeemLink(mail.text));
    const review = await gary.go(`${stack.appUrl}/redeem`);
    assert.equal((await gary.submit(review, '/redeem', {})).status, 200);
    assert.equal((await stack.db('users').where({ email: 'gary@globex.test' }).first('state')).state, 'active');
    const wording = await ada.go(`${stack.appUrl}/admin/mail-templates/access_granted/fr`);
    for (const p of ['{approved}', '{denied}', '{reason}', '{accessUntil}']) assert.ok(wording.text.includes(p), `the edit page lists ${p}`);
    const saved = await ada.submit(wording, '/admin/mail-templates/access_granted/fr', {
      subject: 'Accès prêt : {approved}',
      body: 'Accordé : {approved}. Refusé : {denied} ({reason}). Jusqu’au {accessUntil}.',
    });
    assert.equal(saved.status, 200, saved.text.slice(0, 500));
    const later = day(30);
    await partlyApproved(gary, null, 'gary@globex.test', day(85), later, 'Pas de place <ici>.', ['Supplier Portal', 'Quality Reviews']);
    const ready = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && m.subject === 'Accès prêt : Supplier Portal');
    const laterFr = longDay(later, 'fr-FR');
    assert.match(ready.text, new RegExp(`^Accordé : Supplier Portal\\. Refusé : Quality Reviews \\(Pas de place <ici>\\.\\)\\. Jusqu’au ${esc(laterFr)}\\.`));
    assert.match(ready.text, new RegExp(`Non approuvé :\\nQuality Reviews — Pas de place <ici>\\.\\n\\nDurée :\\nVotre accès prend fin le ${esc(laterFr)}\\.`));
    assert.ok(!ready.html!.includes('<ici>'), 'escaped in the HTML part');
    assert.match(ready.html!, /Refusé : Quality Reviews \(Pas de place &#60;ici&#62;\.\)/);
  });
  test('approved by her organization’s agreement, a French partner reads who gave the access in French', async () => {
    const acme = await stack.db('partner_organizations').where({ name: 'Acme Industries' }).first('id');
    const [wiki] = await catalogIds(stack, ['Partner Wiki']);
    await stack.db('partner_organizations').where({ id: acme.id }).update({ language: 'fr', policy: 'auto_approve' });
    await stack.db('organization_auto_approve_items').insert({ organization_id: acme.id, item_id: wiki });
    await submitAsPartner(stack, new Browser(), 'acme', 'paula@acme.test', ['Partner Wiki']);
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invité/i.test(m.subject));
    assert.match(mail.text, /l’accord de votre organisation avec nous/);
    assert.doesNotMatch(mail.text, /agreement with us/);
  });
});
