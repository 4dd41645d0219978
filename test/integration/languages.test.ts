// French and English: the language comes from the person's choice, else this browser's choice, else
// Accept-Language, else the organization's default; every page says which in <html lang>, and no page
// shows a message key instead of words.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { submitAsPartner } from '../harness/flows.ts';
import { catalogs } from '../../src/i18n/t.ts';

let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const langOf = (page: Page) => /<html lang="(\w+)">/.exec(page.text)?.[1];

// The first segments of our message keys ("requests", "nav"…): a word such as "requests.status"
// in a page's text is a key no catalog had.
const prefixes = new Set(Object.keys(catalogs.en).map((k) => k.split('.')[0]));
function leakedKeys(page: Page): string[] {
  const text = page.text.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ');
  return [...text.matchAll(/\b([a-z][a-zA-Z]*)\.([a-zA-Z][\w]*(?:\.[\w]+)*)\b/g)].map((m) => m[0]).filter((w) => prefixes.has(w.split('.')[0]!) && !/@/.test(w));
}

/** The audit log shows action names (auth.signed_in) on purpose; every other page shows words only. */
async function visit(browser: Browser, path: string, lang: 'en' | 'fr'): Promise<Page> {
  const page = await browser.go(`${stack.appUrl}${path}`);
  assert.equal(page.status, 200, `${path}: ${page.status} ${page.text.slice(0, 2000)}`);
  assert.equal(langOf(page), lang, `${path} in ${lang}`);
  if (!path.startsWith('/admin/audit')) assert.deepEqual(leakedKeys(page), [], `${path} in ${lang} shows message keys`);
  return page;
}

describe('languages', () => {
  test('Accept-Language: fr gives French pages; a language we lack falls back to the organization default', async () => {
    const french = new Browser({ 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8' });
    const home = await visit(french, '/', 'fr');
    assert.match(home.text, /Demander un accès|Se connecter/);
    assert.match(home.text, /<button[^>]*lang="en"[^>]*>English<\/button>/, 'the switch offers English, named in English');
    const german = new Browser({ 'accept-language': 'de-DE' });
    assert.equal(langOf(await german.go(`${stack.appUrl}/`)), 'en');

    // The admin makes French the organization's default: the German browser now gets French.
    const ada = new Browser({ 'accept-language': 'en' });
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const settings = await ada.go(`${stack.appUrl}/admin/settings`);
    const saved = await ada.submit(settings, '/admin/settings', { unknown_domains_may_request: '1', default_language: 'fr' });
    assert.equal(saved.status, 200);
    assert.equal(langOf(await german.go(`${stack.appUrl}/`)), 'fr');
    const bad = await ada.submit(settings, '/admin/settings', { default_language: 'de' });
    assert.equal(bad.status, 400);
    const event = await stack.db('audit_events').where({ action: 'settings.updated' }).orderBy('seq', 'desc').first();
    assert.deepEqual(JSON.parse(event.details).changes.defaultLanguage, ['en', 'fr']);
    await ada.submit(settings, '/admin/settings', { unknown_domains_may_request: '1', default_language: 'en' });
  });

  test('the switch on the page: a cookie for someone not signed in, back on the same page', async () => {
    const visitor = new Browser({ 'accept-language': 'en' });
    const home = await visit(visitor, '/', 'en');
    const switched = await visitor.submit(home, '/language', { lang: 'fr', back: '/' });
    assert.equal(langOf(switched), 'fr');
    assert.equal(new URL(switched.url).pathname, '/');
    // Elsewhere than our own site is refused as a destination.
    const away = await visitor.request('POST', `${stack.appUrl}/language`, { _csrf: /name="_csrf" value="([^"]+)"/.exec(switched.text)![1]!, lang: 'en', back: '//evil.example/' });
    assert.equal(away.status, 303);
    assert.equal(away.headers.location, '/');
  });

  test('a signed-in person’s choice is remembered on her user, audited, and follows her to another browser', async () => {
    const partner = new Browser({ 'accept-language': 'en' });
    const { page } = await submitAsPartner(stack, partner, 'acme', 'paula@acme.test', ['Partner Wiki']);
    const mine = await partner.go(`${stack.appUrl}/requests`);
    await partner.submit(mine, '/language', { lang: 'fr', back: '/requests' });
    for (const path of ['/requests', '/requests/new']) await visit(partner, path, 'fr');
    assert.ok(page);

    const sam = new Browser({ 'accept-language': 'en' });
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const inbox = await visit(sam, '/inbox', 'en');
    await sam.submit(inbox, '/language', { lang: 'fr', back: '/inbox' });
    const samUser = await stack.db('users').where({ email: 'sam.sponsor@passerelle.test' }).first();
    assert.equal(samUser.locale, 'fr');
    const event = await stack.db('audit_events').where({ action: 'user.language_changed', target: `user:${samUser.id}` }).first();
    assert.deepEqual(JSON.parse(event.details).changes.locale, [null, 'fr']);
    const elsewhere = new Browser({ 'accept-language': 'en' });
    await elsewhere.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const inboxFr = await visit(elsewhere, '/inbox', 'fr');
    assert.match(inboxFr.text, /Déconnexion|Se déconnecter/);
  });

  test('every admin page speaks French with no message key showing, and English too', async () => {
    for (const lang of ['fr', 'en'] as const) {
      const ada = new Browser({ 'accept-language': lang });
      await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
      for (const path of ['/admin', '/admin/guests', '/admin/catalog', '/admin/organizations', '/admin/idps', '/admin/settings', '/admin/audit', '/admin/queues', '/admin/api-clients', '/invitations', '/owner', '/inbox']) {
        await visit(ada, path, lang);
      }
    }
  });
});
