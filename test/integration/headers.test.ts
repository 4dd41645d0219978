// Response headers on every page (ASVS V14.4, V8.2.1): every GET route the app serves, read from its
// router (a route added later is covered without touching this file), asked by an anonymous visitor,
// a partner and an admin. Whatever the answer (page, redirect, 404, JSON), it must say: no Referer
// out, no MIME sniffing, never framed, and never stored by a browser or proxy. Only /static is cacheable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { catalogIds, submitAsPartner } from '../harness/flows.ts';
import { idpIdOf, organizationIdOf } from '../harness/world.ts';
import { listRoutes } from '../harness/routes.ts';

let stack: Stack;
const people: Record<'anonymous' | 'partner' | 'admin', Browser> = { anonymous: new Browser(), partner: new Browser(), admin: new Browser() };
const ids: Record<string, string> = {};

before(async () => {
  stack = await startStack();
  ids.request = String((await submitAsPartner(stack, people.partner, 'acme', 'paula@acme.test', ['Partner Wiki'])).id);
  await people.admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  [ids.item] = await catalogIds(stack, ['Quality Reviews']);
  ids.idp = String(await idpIdOf(stack, 'acme'));
  ids.org = String(await organizationIdOf(stack, 'Acme Industries'));
});
after(async () => {
  await stack?.stop();
});

/** A concrete URL for a route pattern: real ids where the data exists, anything else where it does not. */
function urlFor(route: string): string {
  const path = route.replace(/^GET /, '');
  const id = /^\/(requests|inbox)\//.test(path) ? ids.request
    : /^\/admin\/idps\//.test(path) ? ids.idp
    : /^\/admin\/organizations\//.test(path) ? ids.org
    : /^\/(admin\/catalog|owner\/items)\//.test(path) ? ids.item
    : '1';
  return path
    .replace(':slug', 'acme')
    .replace(':token', 'x'.repeat(43))
    .replace(/:id\b/g, id)
    .replace(/:\w+/g, '1')
    .replace(/\*\w+/g, 'x');
}

function problems(page: Page, { cacheable = false } = {}): string[] {
  const h = page.headers;
  const out: string[] = [];
  if (h['referrer-policy'] !== 'no-referrer') out.push(`Referrer-Policy: ${String(h['referrer-policy'])}`);
  if (h['x-content-type-options'] !== 'nosniff') out.push(`X-Content-Type-Options: ${String(h['x-content-type-options'])}`);
  if (!/(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(String(h['content-security-policy']))) out.push(`CSP: ${String(h['content-security-policy'])}`);
  if (!cacheable && !/\bno-store\b/.test(String(h['cache-control']))) out.push(`Cache-Control: ${String(h['cache-control'])}`);
  return out;
}

test('every GET route, for anyone, answers with Referrer-Policy, nosniff, frame-ancestors and Cache-Control: no-store', async () => {
  const routes = listRoutes(stack.web.app).filter((r) => r.startsWith('GET '));
  assert.ok(routes.length > 30, `only ${routes.length} GET routes found`);
  const wrong: string[] = [];
  const statuses = new Map<string, number>();
  for (const route of routes) {
    for (const [who, b] of Object.entries(people)) {
      const page = await b.request('GET', stack.appUrl + urlFor(route));
      statuses.set(`${route} ${who}`, page.status);
      for (const p of problems(page)) wrong.push(`${route} as ${who} (${page.status}): ${p}`);
    }
  }
  assert.deepEqual(wrong, []);
  // The pages that matter most were really shown, not just refused.
  assert.equal(statuses.get('GET /requests/:id partner'), 200);
  assert.equal(statuses.get('GET /admin/guests admin'), 200);
  assert.equal(statuses.get('GET /admin/idps/:id admin'), 200);
});

test('pages with personal data are not stored: a request page and the admin audit log', async () => {
  const mine = await people.partner.go(`${stack.appUrl}/requests/${ids.request}`);
  assert.equal(mine.status, 200);
  assert.match(mine.text, /paula@acme\.test/);
  assert.match(String(mine.headers['cache-control']), /no-store/);
  const audit = await people.admin.go(`${stack.appUrl}/admin/audit`);
  assert.equal(audit.status, 200);
  assert.match(audit.text, /paula@acme\.test/);
  assert.match(String(audit.headers['cache-control']), /no-store/);
});

test('error pages, redirects and unknown paths carry the same headers', async () => {
  const pages = [
    await people.anonymous.request('GET', `${stack.appUrl}/no/such/page`),
    await people.anonymous.request('GET', `${stack.appUrl}/requests`),
    await people.partner.request('GET', `${stack.appUrl}/admin`),
    await people.partner.request('POST', `${stack.appUrl}/requests`, { _csrf: 'wrong' }),
  ];
  assert.deepEqual(pages.map((p) => p.status), [404, 303, 403, 403]);
  assert.deepEqual(pages.flatMap((p) => problems(p)), []);
});

test('static assets may be cached, and still are not sniffed or framed', async () => {
  for (const file of ['/static/app.css', '/static/favicon.svg']) {
    const page = await people.anonymous.request('GET', stack.appUrl + file);
    assert.equal(page.status, 200);
    assert.deepEqual(problems(page, { cacheable: true }), []);
    assert.match(String(page.headers['cache-control']), /max-age=3600/);
    assert.doesNotMatch(String(page.headers['cache-control']), /no-store/);
  }
});
