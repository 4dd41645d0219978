// Audit events told in plain words: the sentence chosen for an action, its outcome and its details,
// the actor and the target as parts with their pages, in English and French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditSentence, sentenceText } from '../../src/i18n/auditSentence.ts';
import { emptyNames, nameRefs, type AuditNames } from '../../src/domain/auditActions.ts';

const names = (): AuditNames => {
  const n = emptyNames();
  n.users.set(3, { name: 'Sam Sponsor', email: 'sam.sponsor@passerelle.test', guest: false });
  n.users.set(9, { name: 'Paula Partner', email: 'paula@acme.test', guest: true });
  n.requests.set(1, { owner: 'Paula Partner', ownerEmail: 'paula@acme.test', items: ['Partner Wiki', 'Project Atlas'] });
  return n;
};
const event = (o: Partial<Parameters<typeof auditSentence>[0]>) => ({
  actor_type: 'user',
  actor_id: 'user:3 https://ours.test|ours-sam',
  actor_label: 'sam.sponsor@passerelle.test',
  action: 'request.approved',
  target: 'request:1',
  outcome: 'success',
  details: '{}',
  ...o,
});

test('an approval of some items names what was approved and what was denied', () => {
  const parts = auditSentence(event({ details: JSON.stringify({ approvedItems: ['Partner Wiki'], deniedItems: ['Project Atlas'] }) }), names(), 'en');
  assert.equal(sentenceText(parts), 'Sam Sponsor approved Paula Partner’s request #1 for Partner Wiki, and denied Project Atlas');
  assert.deepEqual(parts.find((p) => p.role === 'target'), { text: 'request #1', href: '/inbox/1', role: 'target' });
  const fr = auditSentence(event({ details: JSON.stringify({ approvedItems: ['Partner Wiki'], deniedItems: ['Project Atlas'] }) }), names(), 'fr');
  assert.equal(sentenceText(fr), 'Sam Sponsor a approuvé la demande n° 1 de Paula Partner pour Partner Wiki, et refusé Project Atlas');
});

test('a whole approval lists the request’s items in the reader’s language', () => {
  assert.equal(sentenceText(auditSentence(event({}), names(), 'en')), 'Sam Sponsor approved Paula Partner’s request #1 for Partner Wiki and Project Atlas');
  assert.equal(sentenceText(auditSentence(event({}), names(), 'fr')), 'Sam Sponsor a approuvé la demande n° 1 de Paula Partner pour Partner Wiki et Project Atlas');
});

test('a guest is a link to her page; a staff member is a name', () => {
  const parts = auditSentence(event({ action: 'membership.granted', target: 'user:9', details: JSON.stringify({ item: 'Partner Wiki' }) }), names(), 'en');
  assert.deepEqual(parts, [
    { text: 'Sam Sponsor', href: undefined, role: 'actor' },
    { text: ' gave ' },
    { text: 'Paula Partner', href: '/admin/guests/9', role: 'target' },
    { text: ' access to Partner Wiki' },
  ]);
});

test('mail templates, branding and a language choice read as sentences with their pages', () => {
  const template = auditSentence(event({ action: 'mail_template.updated', target: 'mail_template:invitation', details: JSON.stringify({ language: 'fr' }) }), names(), 'en');
  assert.equal(sentenceText(template), 'Sam Sponsor changed the wording of the “invitation” mail (fr)');
  assert.equal(template.find((p) => p.role === 'target')?.href, '/admin/mail-templates/invitation/fr');
  const branding = auditSentence(event({ action: 'settings.branding_updated', target: 'settings:branding' }), names(), 'fr');
  assert.equal(sentenceText(branding), 'Sam Sponsor a modifié l’identité visuelle de l’entreprise');
  const language = auditSentence(event({ action: 'user.language_changed', target: 'user:3', details: JSON.stringify({ changes: { locale: [null, 'fr'] } }) }), names(), 'en');
  assert.equal(sentenceText(language), 'Sam Sponsor chose the language of their pages: Français');
});

test('outcomes choose their sentence; an unknown action and an unknown refusal still read', () => {
  const failed = event({ actor_type: 'system', actor_id: 'system:route-request', actor_label: null, action: 'request.routed', outcome: 'failure' });
  assert.equal(sentenceText(auditSentence(failed, names(), 'en')), 'No sponsor could be found for Paula Partner’s request #1');
  const refused = event({ action: 'owner:manage', target: '/owner/items/4', outcome: 'denied', details: JSON.stringify({ reason: 'not an owner' }) });
  assert.equal(sentenceText(auditSentence(refused, names(), 'en')), 'Sam Sponsor was refused “owner:manage” on /owner/items/4: not an owner');
  const unknown = event({ action: 'widget.frobbed', target: null });
  assert.equal(sentenceText(auditSentence(unknown, names(), 'fr')), 'Sam Sponsor : widget.frobbed');
});

test('a partner not yet a user is named as on her request; names cannot forge the sentence’s links', () => {
  const submitted = event({ actor_id: 'https://acme.test|acme-paula', actor_label: 'paula@acme.test', action: 'request.submitted', details: JSON.stringify({ items: ['Partner Wiki'] }) });
  assert.equal(sentenceText(auditSentence(submitted, names(), 'en')), 'Paula Partner asked for access to Partner Wiki and Project Atlas (request #1)');
  const n = names();
  n.users.set(9, { name: 'Eve \uE000t\uE001', email: 'eve@x.test', guest: true });
  const parts = auditSentence(event({ action: 'guest.disabled', target: 'user:9' }), n, 'en');
  assert.equal(parts.filter((p) => p.role === 'target').length, 1);
  assert.equal(sentenceText(parts), 'Sam Sponsor blocked sign-in for Eve t');
});

test('the names a page needs are gathered once, by kind', () => {
  const refs = nameRefs([
    event({}),
    event({ target: 'user:9' }),
    event({ actor_type: 'api', actor_id: 'api_client:2', target: 'invitation:5' }),
    event({ actor_type: 'api', actor_id: 'app:wiki-client', target: 'item:7' }),
    event({ target: 'idp:acme' }),
  ]);
  assert.deepEqual([...refs.users].sort(), [3, 9]);
  assert.deepEqual([...refs.requests], [1]);
  assert.deepEqual([...refs.apiClients], [2]);
  assert.deepEqual([...refs.invitations], [5]);
  assert.deepEqual([...refs.appClients], ['wiki-client']);
  assert.deepEqual([...refs.items], [7]);
  assert.deepEqual([...refs.idps], ['acme']);
});
