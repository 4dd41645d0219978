// Deny by default, proven: every route the app serves × every kind of person. A route added without a
// rule here fails this test. "deny" means 403, 404 (foreign or hidden ids answer like missing ones) or a
// redirect to sign in; "allow" means anything else (including 400 for an empty form: the person got
// past authorization); "any" marks routes whose answer does not depend on who asks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, type Page } from '../harness/browser.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { listRoutes } from '../harness/routes.ts';

type Role = 'anonymous' | 'partner' | 'sponsor' | 'owner' | 'admin';
type Rule = 'allow' | 'deny' | 'any';
const ROLES: Role[] = ['anonymous', 'partner', 'sponsor', 'owner', 'admin'];
const all = (r: Rule) => Object.fromEntries(ROLES.map((role) => [role, r])) as Record<Role, Rule>;
const only = (...allowed: Role[]) => Object.fromEntries(ROLES.map((role) => [role, allowed.includes(role) ? 'allow' : 'deny'])) as Record<Role, Rule>;
const signedIn = only('partner', 'sponsor', 'owner', 'admin');
const members = only('sponsor', 'owner', 'admin');
const admin = only('admin');

// ids are filled in once the data exists: {request} Paula's request routed to Sam, {item} the
// self-service group Sue owns, {guest} a guest, {batch} a batch the admin started, {idp} {org}.
const RULES: Record<string, { url: string; body?: Record<string, string | string[]>; expect: Record<Role, Rule> }> = {
  'GET /healthz': { url: '/healthz', expect: all('allow') },
  'GET /': { url: '/', expect: all('allow') },
  'POST /auth/discover': { url: '/auth/discover', body: { email: 'x@acme.test' }, expect: all('allow') },
  'GET /auth/:slug': { url: '/auth/acme', expect: all('allow') },
  'GET /auth/:slug/callback': { url: '/auth/acme/callback?code=x&state=y', expect: all('any') },
  'GET /auth/email-code/verify': { url: '/auth/email-code/verify?email=a@b.test&code=x', expect: all('allow') },
  'POST /auth/email-code/verify': { url: '/auth/email-code/verify', body: { email: 'a@b.test', code: 'x' }, expect: all('any') },
  'POST /auth/logout': { url: '/auth/logout', expect: all('any') },
  'GET /requests': { url: '/requests', expect: signedIn },
  'GET /requests/new': { url: '/requests/new', expect: only('partner') },
  'POST /requests': { url: '/requests', body: {}, expect: only('partner') },
  'GET /requests/:id': { url: '/requests/{request}', expect: only('partner') },
  'GET /access': { url: '/access', expect: signedIn },
  'GET /inbox': { url: '/inbox', expect: members },
  'GET /inbox/:id': { url: '/inbox/{request}', expect: only('sponsor', 'admin') },
  'POST /inbox/:id/decision': { url: '/inbox/{request}/decision', body: { decision: 'deny', reason: '' }, expect: only('sponsor', 'admin') },
  'GET /redeem/:token': { url: '/redeem/not-a-token', expect: all('any') },
  'GET /redeem': { url: '/redeem', expect: { ...all('any'), anonymous: 'deny' } },
  'POST /redeem': { url: '/redeem', expect: { ...all('any'), anonymous: 'deny' } },
  'GET /admin': { url: '/admin', expect: admin },
  'GET /admin/audit': { url: '/admin/audit', expect: admin },
  'GET /admin/idps': { url: '/admin/idps', expect: admin },
  'GET /admin/idps/new': { url: '/admin/idps/new', expect: admin },
  'GET /admin/idps/:id': { url: '/admin/idps/{idp}', expect: admin },
  'POST /admin/idps': { url: '/admin/idps', body: {}, expect: admin },
  'POST /admin/idps/:id': { url: '/admin/idps/{idp}', body: {}, expect: admin },
  'POST /admin/idps/:id/enabled': { url: '/admin/idps/{idp}/enabled', body: { enabled: 'true' }, expect: admin },
  'POST /admin/idps/:id/test': { url: '/admin/idps/{idp}/test', expect: admin },
  'GET /admin/organizations': { url: '/admin/organizations', expect: admin },
  'GET /admin/organizations/new': { url: '/admin/organizations/new', expect: admin },
  'GET /admin/organizations/:id': { url: '/admin/organizations/{org}', expect: admin },
  'POST /admin/organizations': { url: '/admin/organizations', body: {}, expect: admin },
  'POST /admin/organizations/:id': { url: '/admin/organizations/{org}', body: {}, expect: admin },
  'GET /admin/catalog': { url: '/admin/catalog', expect: admin },
  'GET /admin/catalog/new': { url: '/admin/catalog/new', expect: admin },
  'GET /admin/catalog/:id': { url: '/admin/catalog/{item}', expect: admin },
  'POST /admin/catalog': { url: '/admin/catalog', body: {}, expect: admin },
  'POST /admin/catalog/:id': { url: '/admin/catalog/{item}', body: {}, expect: admin },
  'GET /admin/settings': { url: '/admin/settings', expect: admin },
  'POST /admin/settings': { url: '/admin/settings', body: { unknown_domains_may_request: '1' }, expect: admin },
  'GET /admin/guests': { url: '/admin/guests', expect: admin },
  'GET /admin/guests/:id': { url: '/admin/guests/{guest}', expect: admin },
  'POST /admin/guests/:id/*action': { url: '/admin/guests/{guest}/resend', expect: admin },
  'GET /admin/queues': { url: '/admin/queues', expect: admin },
  'POST /admin/queues/:queue/:id/retry': { url: '/admin/queues/send-mail/none/retry', expect: { ...only(), admin: 'any' } },
  'GET /invitations': { url: '/invitations', expect: members },
  'POST /invitations': { url: '/invitations', body: { emails: 'matrix@newco.test', items: ['{item}'] }, expect: only('owner', 'admin') },
  'GET /invitations/batches/:id': { url: '/invitations/batches/{batch}', expect: admin },
  'GET /owner': { url: '/owner', expect: members },
  'GET /owner/items/:id': { url: '/owner/items/{item}', expect: only('owner', 'admin') },
  'POST /owner/items/:id/guests/:guestId/remove': { url: '/owner/items/{item}/guests/999999/remove', expect: { ...only(), owner: 'any', admin: 'any' } },
};

let stack: Stack;
const people = {} as Record<Role, Browser>;
const ids: Record<string, string> = {};

before(async () => {
  stack = await startStack();
  people.anonymous = new Browser();
  people.partner = new Browser();
  ids.request = String((await submitAsPartner(stack, people.partner, 'acme', 'paula@acme.test', ['Partner Wiki'])).id);
  await waitUntilRouted(stack, Number(ids.request));
  people.sponsor = new Browser();
  await people.sponsor.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  people.owner = new Browser();
  await people.owner.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  people.admin = new Browser();
  await people.admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  [ids.item] = await catalogIds(stack, ['Quality Reviews']);
  ids.idp = String((await stack.db('identity_providers').where({ slug: 'acme' }).first()).id);
  ids.org = String((await stack.db('partner_organizations').first()).id);
  const stamp = new Date().toISOString();
  const [g] = await stack.db('users').insert({ display_name: 'Matrix Guest', email: 'matrix@guest.test', user_type: 'guest', state: 'invited', created_at: stamp }).returning('id');
  ids.guest = String((g as { id: number }).id);
  const form = await people.admin.go(`${stack.appUrl}/invitations`);
  const batch = await people.admin.submit(form, '/invitations', { emails: 'batch@newco.test', items: [ids.item] });
  ids.batch = /\/invitations\/batches\/(\d+)/.exec(batch.url)![1];
});
after(async () => {
  await stack?.stop();
});

const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]);

function verdict(page: Page): 'allow' | 'deny' {
  if (page.status === 403 || page.status === 404) return 'deny';
  if ([302, 303].includes(page.status) && /[?&]signIn=1/.test(String(page.headers.location ?? ''))) return 'deny';
  return 'allow';
}

test('every route has a rule', () => {
  const missing = listRoutes(stack.web.app).filter((r) => !(r in RULES));
  assert.deepEqual(missing, [], 'add these routes to the matrix');
});

test('every route answers every kind of person as its rule says', async () => {
  const wrong: string[] = [];
  for (const [route, rule] of Object.entries(RULES)) {
    const method = route.split(' ')[0] as 'GET' | 'POST';
    for (const role of ROLES) {
      if (rule.expect[role] === 'any') continue;
      const b = people[role];
      let page: Page;
      if (method === 'GET') {
        page = await b.request('GET', stack.appUrl + fill(rule.url));
      } else {
        const home = await b.request('GET', `${stack.appUrl}/`);
        const body = Object.fromEntries(Object.entries(rule.body ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(fill) : fill(v)]));
        page = await b.request('POST', stack.appUrl + fill(rule.url), { _csrf: csrfToken(home.text) ?? '', ...body });
      }
      const got = verdict(page);
      if (got !== rule.expect[role]) wrong.push(`${route} as ${role}: expected ${rule.expect[role]}, got ${page.status} ${String(page.headers.location ?? '')}`);
    }
  }
  assert.deepEqual(wrong, []);
});
