// What the mail after a sponsor's decision says of it: rows in the reader's language, the end day as
// her language writes it, "no end date" when nothing ends, nothing said when items end on different days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessEndDay } from '../../src/mail/decision.ts';
import { renderMail } from '../../src/mail/render.ts';
import { grantedMail, invitationMail, type DecisionDetails } from '../../src/mail/templates.ts';
import type { Config } from '../../src/config.ts';
import type { CatalogItem } from '../../src/db/rows.ts';

const config = { publicUrl: 'https://portal.test' } as Config;
const branding = { companyName: 'Example Corp', logoUrl: '', color: '#1f4e8c' };
const wiki = { id: 1, name: 'Partner Wiki', max_days: 180 } as CatalogItem;
const at = Date.parse('2026-12-04T10:00:00Z');

test('the end day: the day granted, the items’ one limit, none, or unsaid when they differ', () => {
  assert.equal(accessEndDay([{ max_days: 180 }, { max_days: 90 }], at, '2027-01-31'), '2027-01-31');
  assert.equal(accessEndDay([{ max_days: 30 }], at, '2027-06-30'), '2027-01-03', 'the item’s limit comes first');
  assert.equal(accessEndDay([{ max_days: null }], at, null), null);
  assert.equal(accessEndDay([{ max_days: 180 }, { max_days: 90 }], at, null), undefined);
  assert.equal(accessEndDay([{ max_days: null }, { max_days: 90 }], at, null), undefined);
});

test('an invitation after a partial approval lists the decision in English and in French, escaped in HTML', () => {
  const decision: DecisionDetails = { approved: ['Partner Wiki'], denied: ['Project Atlas'], reason: 'Full <now> & later.', accessUntil: '2027-01-31' };
  const spec = invitationMail(config, { id: 7, email: 'p@acme.test', expiresAt: '2026-12-11T10:00:00Z' }, [wiki], 'Sam Sponsor', { decision });
  const en = renderMail(spec, 'en', branding, null);
  assert.match(en.text, /Approved:\nPartner Wiki\n\nNot approved:\nProject Atlas — Full <now> & later\.\n\nDuration:\nYour access ends on 31 January 2027\./);
  assert.match(en.html, /Project Atlas — Full &#60;now&#62; &#38; later\./);
  assert.ok(!en.html.includes('<now>'));
  const fr = renderMail(spec, 'fr', branding, null);
  assert.match(fr.text, /Approuvé :\nPartner Wiki\n\nNon approuvé :\nProject Atlas — Full <now> & later\.\n\nDurée :\nVotre accès prend fin le 31 janvier 2027\./);
  assert.doesNotMatch(fr.text, /Message de/, 'no personal message');
});

test('without an end date the mail says so; the placeholders carry the same facts into an admin’s wording', () => {
  const decision: DecisionDetails = { approved: ['Partner Wiki'], denied: [], reason: 'Approved, welcome.', accessUntil: null };
  const spec = grantedMail(config, 'request:7', 'p@acme.test', [wiki], 'Sam Sponsor', decision);
  const fr = renderMail(spec, 'fr', branding, { subject: 'Prêt : {approved}', body: 'Refusé : «{denied}» «{reason}», jusqu’à : {accessUntil}.' });
  assert.equal(fr.subject, 'Prêt : Partner Wiki');
  assert.match(fr.text, /^Refusé : «» «», jusqu’à : sans date de fin\./, 'nothing denied: no reason either');
  assert.match(fr.text, /Durée :\nVotre accès n’a pas de date de fin\./);
  assert.doesNotMatch(fr.text, /Non approuvé/);
  const en = renderMail(spec, 'en', branding, null);
  assert.match(en.text, /Duration:\nYour access has no end date\./);
});

test('with no decision (a direct invitation) the mail lists the access as before, and no end-date row', () => {
  const plain = renderMail(invitationMail(config, { id: 8, email: 'p@acme.test', expiresAt: '2026-12-11T10:00:00Z' }, [wiki], 'Ada Admin'), 'en', branding, null);
  assert.match(plain.text, /Access:\nPartner Wiki/);
  assert.doesNotMatch(plain.text, /Approved|Duration/);
});
