// Mails that look like the company's, in the reader's language, in the admins' words: what arrives
// in the mailbox (real SMTP to the catcher) after an admin sets the branding, edits, restores, previews
// or switches off a mail, and what cannot get into it (script, markup, a second header line).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { decide, waitUntilRouted } from '../harness/flows.ts';
import { buildAccessRequest, buildApiClient } from '../harness/factories.ts';
import { lastAuditEvent, organizationNamed } from '../harness/stored.ts';
import type { CapturedMail } from '../../src/demo/mailCatcher.ts';

let stack: Stack;
const admin = new Browser();
const sam = new Browser();

before(async () => {
  stack = await startStack();
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

const details = async (action: string) => JSON.parse((await lastAuditEvent(stack, { action })).details);

async function saveTemplate(name: string, lang: string, fields: { subject: string; body: string }) {
  const page = await admin.go(`${stack.appUrl}/admin/mail-templates/${name}/${lang}`);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  return admin.submit(page, `/admin/mail-templates/${name}/${lang}`, fields);
}

async function restoreTemplate(name: string, lang: string) {
  const page = await admin.go(`${stack.appUrl}/admin/mail-templates/${name}/${lang}`);
  return admin.submit(page, `/admin/mail-templates/${name}/${lang}/restore`, {});
}

const routeMailFor = (id: number) => stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`#${id}`));
/** The text part says each link on a line of its own. */
const onItsOwnLine = (mail: CapturedMail, link: string) => mail.text.split('\n').some((line) => line.trim() === link);

describe('branding', () => {
  test('a wrong colour or a logo that is not https is refused field by field and nothing is stored', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/branding`);
    assert.equal(page.status, 200);
    const bad = await admin.submit(page, '/admin/branding', { company_name: 'Globex Industries', logo_url: 'http://cdn.example.test/logo.png', color: 'red' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Write an address starting with https:\/\//);
    assert.match(bad.text, /Write a colour as # and six hexadecimal digits/);
    assert.match(bad.text, /value="Globex Industries"/, 'what was typed is kept');
    assert.equal(await stack.db('settings').where({ key: 'branding_company_name' }).first(), undefined, 'nothing stored');
  });

  test('every mail carries the company name, logo and colour, a button to where the reader acts, and says why it came', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/branding`);
    const saved = await admin.submit(page, '/admin/branding', { company_name: 'Globex Industries', logo_url: 'https://cdn.example.test/logo.png', color: '#FFCC00' });
    assert.equal(saved.status, 200);
    assert.match(saved.text, /The branding was saved/);
    const audit = await details('settings.branding_updated');
    assert.deepEqual(audit.before, { companyName: 'Passerelle', logoUrl: '', color: '#1f4e8c' });
    assert.deepEqual(audit.after, { companyName: 'Globex Industries', logoUrl: 'https://cdn.example.test/logo.png', color: '#ffcc00' });

    const id = await buildAccessRequest(stack, { items: ['Partner Wiki'], justification: 'I write the integration guide.' });
    const mail = await routeMailFor(id);
    const link = `${stack.appUrl}/inbox/${id}`;
    assert.ok(mail.html, 'an HTML part');
    assert.match(mail.html!, /Globex Industries/);
    assert.match(mail.html!, /<img src="https:\/\/cdn\.example\.test\/logo\.png" alt="Globex Industries"/);
    // A yellow button gets black text (contrast), linking to the inbox page from PUBLIC_URL.
    assert.match(mail.html!, new RegExp(`<td align="center" bgcolor="#ffcc00"[^>]*><a href="${link}" style="[^"]*color:#000000;`));
    assert.match(mail.html!, /Review the request/);
    assert.match(mail.html!, /I write the integration guide\./, 'the justification');
    assert.match(mail.html!, /Partner Wiki/, 'the items');
    assert.match(mail.html!, /you decide the access requests routed to you at Globex Industries/);
    assert.doesNotMatch(mail.html!, /<link|<style|<script/i, 'inline styles only');
    // The text part says the same, the link on its own line.
    assert.match(mail.text, /Paula Partner \(paula@acme\.test, Acme Industries\) asks for access to Partner Wiki/);
    assert.match(mail.text, /Justification:\nI write the integration guide\./);
    assert.ok(onItsOwnLine(mail, link), mail.text);
    assert.match(mail.text, /-- \nYou received this e-mail because you decide the access requests routed to you at Globex Industries\.\nGlobex Industries · partner access portal/);
  });
});

describe('editing a mail', () => {
  test('French words typed by an admin reach a French recipient; restoring brings back the default', async () => {
    // Acme's partners read French: the organization's language, chosen on its form.
    const acme = (await organizationNamed(stack, 'Acme Industries'))!;
    const form = await admin.go(`${stack.appUrl}/admin/organizations/${acme.id}`);
    assert.match(form.text, /Language of its mails/);
    const orgSaved = await admin.submit(form, `/admin/organizations/${acme.id}`, {
      name: 'Acme Industries', domains: acme.domains.join('\n'), identity_provider_id: String(acme.identity_provider_id ?? ''), policy: acme.policy, sponsors: acme.sponsors.map(String), language: 'fr',
    });
    assert.equal(orgSaved.status, 200, orgSaved.text.slice(0, 300));

    const edited = await saveTemplate('request_denied', 'fr', { subject: 'Refus : votre demande n° {id}', body: 'Bonjour,\n\nnous ne pouvons pas donner suite à votre demande pour {items}.' });
    assert.equal(edited.status, 200);
    assert.match(edited.text, /Le texte de l’e-mail a été enregistré|The mail’s wording was saved/);
    const audit = await details('mail_template.updated');
    assert.equal(audit.language, 'fr');
    assert.equal(audit.before, 'default');
    assert.equal(audit.after.subject, 'Refus : votre demande n° {id}');

    const id = await buildAccessRequest(stack, { items: ['Partner Wiki'] });
    await waitUntilRouted(stack, id);
    assert.equal((await decide(stack, sam, id, 'deny', 'Pas de contrat fournisseur.')).status, 200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && m.subject.includes(`${id}`));
    assert.equal(mail.subject, `Refus : votre demande n° ${id}`);
    assert.match(mail.text, /Bonjour,\n\nnous ne pouvons pas donner suite à votre demande pour Partner Wiki\./);
    assert.match(mail.text, /Motif :\nPas de contrat fournisseur\./);
    assert.match(mail.text, /Voir votre demande :\n/);
    assert.match(mail.html!, /<html lang="fr">/);
    assert.match(mail.html!, /<p [^>]*>Bonjour,<\/p>/, 'a blank line starts a paragraph');

    const restored = await restoreTemplate('request_denied', 'fr');
    assert.equal(restored.status, 200);
    assert.deepEqual((await details('mail_template.restored')).before, { subject: 'Refus : votre demande n° {id}', body: 'Bonjour,\n\nnous ne pouvons pas donner suite à votre demande pour {items}.' });
    const second = await buildAccessRequest(stack, { items: ['Partner Wiki'] });
    await waitUntilRouted(stack, second);
    await decide(stack, sam, second, 'deny', 'Toujours pas de contrat.');
    const again = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && m.subject.includes(`${second}`));
    assert.equal(again.subject, `Votre demande d’accès n° ${second} a été refusée`);
  });

  test('a message that does not parse or names an unknown placeholder is refused per field and not stored', async () => {
    const bad = await saveTemplate('access_granted', 'en', { subject: 'Hello {nobody}', body: 'You now have access to {items' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Unknown placeholder \{nobody\}\. This mail offers: \{sponsor\}, \{items\}, \{company\}/);
    assert.match(bad.text, /This does not read as a message \(line 1, column \d+\): a \{ is not closed by \}\./);
    assert.match(bad.text, /aria-invalid=true/);
    const twoLines = await saveTemplate('access_granted', 'en', { subject: 'Line one\r\nBcc: all@evil.example', body: 'Fine {items}' });
    assert.equal(twoLines.status, 400);
    assert.match(twoLines.text, /A subject is one line/);
    assert.equal(await stack.db('mail_templates').where({ template: 'access_granted' }).first(), undefined);
  });

  test('the edit page lists the placeholders and previews in a sandbox; a draft preview shows script as text', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/mail-templates/request_received/en`);
    assert.equal(page.status, 200);
    for (const p of ['{id}', '{name}', '{email}', '{organization}', '{items}', '{justification}', '{company}']) assert.ok(page.text.includes(p), p);
    assert.match(page.text, /<iframe name="mail-preview"[^>]* sandbox="" src="\/admin\/mail-templates\/request_received\/en\/preview"/);

    const saved = await admin.go(`${stack.appUrl}/admin/mail-templates/request_received/en/preview`);
    assert.equal(saved.status, 200);
    assert.match(String(saved.headers['content-security-policy']), /default-src 'none'.*sandbox/);
    assert.match(saved.text, /Paula Partner/);

    const draft = await admin.submit(page, '/admin/mail-templates/request_received/en/preview', {
      subject: 'Check {name}',
      body: '<script>alert(1)</script>\n\n"><img src=x onerror=alert(1)> from {name}',
    });
    assert.equal(draft.status, 200);
    assert.match(String(draft.headers['content-security-policy']), /sandbox/);
    assert.doesNotMatch(draft.text, /<script|<img src=x/);
    assert.match(draft.text, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(draft.text, /&#34;&#62;&#60;img src=x onerror=alert\(1\)&#62; from Paula Partner/);
    assert.equal(await stack.db('mail_templates').where({ template: 'request_received' }).first(), undefined, 'a preview stores nothing');
  });

  test('script in a saved template and markup in a requester name come out as text in the HTML part', async () => {
    const saved = await saveTemplate('request_received', 'en', {
      subject: 'Request #{id} by {name}',
      body: '<script>alert(1)</script> "><img src=x onerror=alert(1)> {name} asks for {items}.',
    });
    assert.equal(saved.status, 200);
    const id = await buildAccessRequest(stack, { name: '<b onmouseover="alert(1)">Eve</b>', items: ['Partner Wiki'] });
    const mail = await routeMailFor(id);
    assert.doesNotMatch(mail.html!, /<script|<img src=x|<b onmouseover/);
    assert.match(mail.html!, /&#60;script&#62;alert\(1\)&#60;\/script&#62; &#34;&#62;&#60;img src=x onerror=alert\(1\)&#62; &#60;b onmouseover=&#34;alert\(1\)&#34;&#62;Eve&#60;\/b&#62; asks for Partner Wiki\./);
    assert.equal(mail.subject, `Request #${id} by <b onmouseover="alert(1)">Eve</b>`);
    await restoreTemplate('request_received', 'en');
  });
});

describe('switching a mail off', () => {
  test('a switched-off mail is not sent, the switch is audited, and the mails sign-in needs cannot be switched off', async () => {
    const page = await admin.go(`${stack.appUrl}/admin/mail-templates/request_received/en`);
    const off = await admin.submit(page, '/admin/mail-templates/request_received/en/enabled', { enabled: '0' });
    assert.equal(off.status, 200);
    assert.match(off.text, /The mail is switched off/);
    assert.equal((await lastAuditEvent(stack, { action: 'mail_template.disabled' })).target, 'mail_template:request_received');

    const id = await buildAccessRequest(stack, { items: ['Partner Wiki'] });
    await waitUntilRouted(stack, id);
    const marker = await buildAccessRequest(stack, { requester: 'gary@globex.test', items: ['Partner Wiki'] });
    const list = await admin.go(`${stack.appUrl}/admin/mail-templates`);
    assert.match(list.text, /Switched off/);

    const on = await admin.submit(page, '/admin/mail-templates/request_received/en/enabled', { enabled: '1' });
    assert.equal(on.status, 200);
    assert.ok(await lastAuditEvent(stack, { action: 'mail_template.enabled' }));
    const after = await buildAccessRequest(stack, { items: ['Partner Wiki'] });
    await routeMailFor(after);
    await eventually('earlier mails delivered', async () => !(await stack.db('mail_messages').where({ status: 'queued' }).first()));
    assert.equal(stack.mail.messages().filter((m) => m.subject.includes(`#${id}`) || m.subject.includes(`#${marker}`)).length, 0, 'nothing sent while it was off');
    assert.equal(await stack.db('mail_messages').where('dedupe_key', 'like', `request:${id}:route:%`).first(), undefined);

    const code = await admin.go(`${stack.appUrl}/admin/mail-templates/one_time_code/en`);
    assert.match(code.text, /This mail cannot be switched off/);
    const refused = await admin.submit(code, '/admin/mail-templates/one_time_code/en/enabled', { enabled: '0' });
    assert.equal(refused.status, 409);
  });
});

describe('the reader’s language', () => {
  test('an invitation through the API with messageLanguage fr arrives in French, its redeem link minted when it leaves', async () => {
    const { token } = await buildApiClient(stack, { name: 'Atlas sync', scopes: ['User.Invite.All'] });
    const res = await supertest(stack.appUrl)
      .post('/v1.0/invitations')
      .set('Authorization', `Bearer ${token}`)
      .send({ invitedUserEmailAddress: 'gina@globex.test', inviteRedirectUrl: `${stack.config.publicUrl}/access`, sendInvitationMessage: true, invitedUserMessageInfo: { messageLanguage: 'fr-FR', customizedMessageBody: 'Bienvenue !' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const mail = await stack.mail.waitFor((m) => m.to.includes('gina@globex.test'));
    assert.equal(mail.subject, 'Atlas sync vous invite à collaborer');
    assert.match(mail.text, /Atlas sync vous invite à collaborer avec Globex Industries en tant qu’invité/);
    assert.match(mail.text, /Bienvenue !/);
    const link = redeemLink(mail.text);
    assert.ok(onItsOwnLine(mail, link), mail.text);
    assert.match(mail.text, /Accepter l’invitation :\n/);
    assert.ok(mail.html!.includes(`href="${link}"`), 'the button carries the same minted link');
    assert.match(mail.html!, /<html lang="fr">/);
    assert.equal((await new Browser().go(link)).status, 200, 'the link works');
  });

  test('a person’s own choice of language wins; someone with none gets the default language', async () => {
    // Sam chose French (users.locale, as the language switch remembers it).
    await stack.db('users').where({ email: 'sam.sponsor@passerelle.test' }).update({ locale: 'fr' });
    const id = await buildAccessRequest(stack, { items: ['Partner Wiki'] });
    const mail = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`n° ${id} `));
    assert.equal(mail.subject, `La demande d’accès n° ${id} de Paula Partner attend votre décision`);
    assert.match(mail.text, /Examiner la demande :\n/);
    await stack.db('users').where({ email: 'sam.sponsor@passerelle.test' }).update({ locale: null });

    // Gary's organization has no language of its own: the default language decides.
    await stack.db('settings').where({ key: 'default_language' }).update({ value: 'fr' });
    try {
      const garys = await buildAccessRequest(stack, { requester: 'gary@globex.test', items: ['Partner Wiki'] });
      await waitUntilRouted(stack, garys);
      const approver = (await stack.db('access_request_approvers').join('users', 'users.id', 'access_request_approvers.user_id').where({ request_id: garys }).first('users.email')).email as string;
      const decider = new Browser();
      await decider.signIn(stack.appUrl, 'ours', approver);
      const decided = await decide(stack, decider, garys, 'deny', 'Pas encore.');
      assert.equal(decided.status, 200, `${approver}: ${decided.text.slice(0, 2000)}`);
      const denied = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test') && m.subject.includes(`${garys}`));
      assert.equal(denied.subject, `Votre demande d’accès n° ${garys} a été refusée`);
    } finally {
      await stack.db('settings').where({ key: 'default_language' }).update({ value: 'en' });
    }
  });

  test('a sign-in code asked on a French page comes in French, in HTML and text', async () => {
    const olga = new Browser({ 'Accept-Language': 'fr-FR,fr;q=0.9' });
    const home = await olga.go(`${stack.appUrl}/`);
    await olga.submit(home, '/auth/discover', { email: 'olga@nowhere-corp.test' });
    const mail = await stack.mail.waitFor((m) => m.to.includes('olga@nowhere-corp.test'));
    assert.equal(mail.subject, 'Votre code de connexion Passerelle');
    const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(mail.text)?.[1];
    assert.ok(code, mail.text);
    assert.match(mail.text, /pendant 10 minutes/);
    assert.ok(mail.html!.includes(code!), 'the code in the HTML part too');
    const link = /(https?:\/\/\S+\/auth\/email-code\/verify\?\S+)/.exec(mail.text)![1]!;
    assert.ok(onItsOwnLine(mail, link));
    assert.ok(mail.html!.includes(`href="${link.replace(/&/g, '&#38;')}"`), 'the link, escaped in the href');
    const signedIn = await olga.submit(home, '/auth/email-code/verify', { email: 'olga@nowhere-corp.test', code: code! });
    assert.equal(signedIn.status, 200);
  });
});
