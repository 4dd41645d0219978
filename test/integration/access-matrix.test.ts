// Deny by default, proven: every route the app serves × every kind of caller (people in each role, a
// partner and a sponsor who are not the ones concerned, and API tokens holding each scope). A route
// added without a rule here fails this test. "deny" means 401, 403, 404 (foreign or hidden ids answer
// like missing ones) or a redirect to sign in; "allow" means anything else (including 400 for an empty
// form: the caller got past authorization); "any" marks routes whose answer does not depend on who asks.
// Every refusal (401, 403, and 404 for an id that exists) must be in the audit log under the
// response's request id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, type Page } from '../harness/browser.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { listRoutes } from '../harness/routes.ts';
import { buildApiClient, buildGuest, systemContext } from '../harness/factories.ts';
import { idpIdOf, organizationIdOf, userIdOf } from '../harness/world.ts';
import { startCampaign } from '../../src/commands/reviews/startCampaign.ts';
import supertest from 'supertest';
import { ALL_SCOPES, type Scope } from '../../src/domain/scopes.ts';

// otherPartner: Pete, of the same organization as Paula, whose request {request} is; otherSponsor:
// Omar, a member who sponsors nobody and owns nothing.
type Person = 'anonymous' | 'partner' | 'otherPartner' | 'sponsor' | 'otherSponsor' | 'owner' | 'admin';
type Role = Person | `api:${Scope}` | 'api:none';
type Rule = 'allow' | 'deny' | 'any';
const PEOPLE: Person[] = ['anonymous', 'partner', 'otherPartner', 'sponsor', 'otherSponsor', 'owner', 'admin'];
const API_ROLES: Role[] = ['api:none', ...ALL_SCOPES.map((s) => `api:${s}` as Role)];
const ROLES: Role[] = [...PEOPLE, ...API_ROLES];
// A bearer token counts for nothing on the web pages: API callers are treated as anonymous there.
const all = (r: Rule) => Object.fromEntries(PEOPLE.map((role) => [role, r])) as Record<Role, Rule>;
const only = (...allowed: Role[]) => Object.fromEntries(ROLES.map((role) => [role, allowed.includes(role) ? 'allow' : 'deny'])) as Record<Role, Rule>;
const signedIn = only('partner', 'otherPartner', 'sponsor', 'otherSponsor', 'owner', 'admin');
const members = only('sponsor', 'otherSponsor', 'owner', 'admin');
/** API routes: only a token holding one of these scopes. */
const scoped = (...scopes: Scope[]) => only(...scopes.map((s) => `api:${s}` as Role));
const partners = only('partner', 'otherPartner');
const admin = only('admin');

// ids are filled in once the data exists: {request} Paula's request routed to Sam, {item} the
// self-service group Sue owns, {guest} a guest, {batch} a batch the admin started, {idp} {org}.
const RULES: Record<string, { url: string; body?: Record<string, string | string[]>; expect: Record<Role, Rule> }> = {
  'GET /healthz': { url: '/healthz', expect: all('allow') },
  'GET /': { url: '/', expect: all('allow') },
  'POST /language': { url: '/language', body: { lang: 'en', back: '/' }, expect: all('allow') },
  'POST /auth/discover': { url: '/auth/discover', body: { email: 'x@acme.test' }, expect: all('allow') },
  'GET /auth/:slug': { url: '/auth/acme', expect: all('allow') },
  'GET /auth/:slug/callback': { url: '/auth/acme/callback?code=x&state=y', expect: all('any') },
  'GET /auth/email-code/verify': { url: '/auth/email-code/verify?email=a@b.test&code=x', expect: all('allow') },
  'POST /auth/email-code/verify': { url: '/auth/email-code/verify', body: { email: 'a@b.test', code: 'x' }, expect: all('any') },
  'POST /auth/logout': { url: '/auth/logout', expect: all('any') },
  'GET /requests': { url: '/requests', expect: signedIn },
  'GET /requests/new': { url: '/requests/new', expect: partners },
  'POST /requests': { url: '/requests', body: {}, expect: partners },
  'GET /requests/:id': { url: '/requests/{request}', expect: only('partner') },
  // Answering a question: only the requester (an empty answer is a 400 once past authorization).
  'POST /requests/:id/answer': { url: '/requests/{request}/answer', body: { answer: '' }, expect: only('partner') },
  'GET /profile': { url: '/profile', expect: partners },
  'POST /profile': { url: '/profile', body: {}, expect: partners },
  // Only a guest leaves; the partners here have a request but no guest account yet, so none may.
  'GET /access/leave': { url: '/access/leave', expect: only() },
  'POST /access/leave': { url: '/access/leave', body: {}, expect: only() },
  'GET /access': { url: '/access', expect: signedIn },
  // Only a guest asks to extend, and only an access of hers: nobody here is one.
  'GET /access/extend/:id': { url: '/access/extend/1', expect: only() },
  'POST /access/extend/:id': { url: '/access/extend/1', body: {}, expect: only() },
  // Only a guest withdraws consent, and only to an app they hold: nobody here is one.
  'POST /access/apps/:id/consent': { url: '/access/apps/{app}/consent', expect: only() },
  // An application's sign-in pages answer from the pending sign-in in the browser's cookies, whoever asks.
  'GET /app-sign-in/:uid': { url: '/app-sign-in/not-a-sign-in', expect: all('any') },
  'POST /app-sign-in/:uid/consent': { url: '/app-sign-in/not-a-sign-in/consent', expect: all('any') },
  'GET /inbox': { url: '/inbox', expect: members },
  'GET /inbox/:id': { url: '/inbox/{request}', expect: only('sponsor', 'admin') },
  'POST /inbox/:id/decision': { url: '/inbox/{request}/decision', body: { decision: 'deny', reason: '' }, expect: only('sponsor', 'admin') },
  // Asking the requester: whoever may decide; an empty question is a 400 once past authorization.
  'POST /inbox/:id/question': { url: '/inbox/{request}/question', body: { question: '' }, expect: only('sponsor', 'admin') },
  'GET /redeem/:token': { url: '/redeem/not-a-token', expect: all('any') },
  'GET /redeem': { url: '/redeem', expect: { ...all('any'), anonymous: 'deny' } },
  'POST /redeem': { url: '/redeem', expect: { ...all('any'), anonymous: 'deny' } },
  'GET /admin': { url: '/admin', expect: admin },
  'GET /admin/audit': { url: '/admin/audit', expect: admin },
  'POST /admin/audit/verify': { url: '/admin/audit/verify', expect: admin },
  'GET /admin/audit/export.csv': { url: '/admin/audit/export.csv', expect: admin },
  'GET /admin/audit/export.jsonl': { url: '/admin/audit/export.jsonl', expect: admin },
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
  'GET /admin/catalog/:id/sign-in': { url: '/admin/catalog/{app}/sign-in', expect: admin },
  'POST /admin/catalog/:id/sign-in': { url: '/admin/catalog/{app}/sign-in', body: {}, expect: admin },
  'POST /admin/catalog/:id/sign-in/rotate': { url: '/admin/catalog/{app}/sign-in/rotate', expect: admin },
  'GET /admin/settings': { url: '/admin/settings', expect: admin },
  'POST /admin/settings': { url: '/admin/settings', body: { unknown_domains_may_request: '1' }, expect: admin },
  'GET /admin/mail-templates': { url: '/admin/mail-templates', expect: admin },
  'GET /admin/mail-templates/:name/:lang': { url: '/admin/mail-templates/request_received/fr', expect: admin },
  'POST /admin/mail-templates/:name/:lang': { url: '/admin/mail-templates/request_received/fr', body: {}, expect: admin },
  'POST /admin/mail-templates/:name/:lang/restore': { url: '/admin/mail-templates/request_received/fr/restore', body: {}, expect: admin },
  'POST /admin/mail-templates/:name/:lang/enabled': { url: '/admin/mail-templates/request_received/en/enabled', body: { enabled: '1' }, expect: admin },
  'GET /admin/mail-templates/:name/:lang/preview': { url: '/admin/mail-templates/request_received/en/preview', expect: admin },
  'POST /admin/mail-templates/:name/:lang/preview': { url: '/admin/mail-templates/request_received/en/preview', body: {}, expect: admin },
  'GET /admin/branding': { url: '/admin/branding', expect: admin },
  'POST /admin/branding': { url: '/admin/branding', body: {}, expect: admin },
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
  'POST /owner/items/:id/guests/:guestId/resend': { url: '/owner/items/{item}/guests/999999/resend', expect: { ...only(), owner: 'any', admin: 'any' } },
  'GET /admin/api-clients': { url: '/admin/api-clients', expect: admin },
  'POST /admin/api-clients': { url: '/admin/api-clients', body: {}, expect: admin },
  'POST /admin/api-clients/:id/revoke': { url: '/admin/api-clients/{apiClient}/revoke', expect: admin },
  // {review}: an access review whose one row (a guest of Quality Reviews) is Sue's to answer, as the item's owner.
  'GET /reviews': { url: '/reviews', expect: members },
  'GET /reviews/:id': { url: '/reviews/{review}', expect: only('owner', 'admin') },
  'POST /reviews/:id/decisions': { url: '/reviews/{review}/decisions', body: {}, expect: only('owner', 'admin') },
  'GET /admin/reviews': { url: '/admin/reviews', expect: admin },
  'GET /admin/reviews/new': { url: '/admin/reviews/new', expect: admin },
  'POST /admin/reviews': { url: '/admin/reviews', body: {}, expect: admin },
  'GET /admin/reviews/:id': { url: '/admin/reviews/{review}', expect: admin },
  'POST /admin/reviews/:id/remind': { url: '/admin/reviews/{review}/remind', body: { seen: '99' }, expect: admin },
  'GET /admin/reviews/:id/export.csv': { url: '/admin/reviews/{review}/export.csv', expect: admin },
  'GET /v1.0/identityGovernance/accessReviews/definitions': { url: '/v1.0/identityGovernance/accessReviews/definitions', expect: scoped('AccessReview.Read.All') },
  'GET /v1.0/identityGovernance/accessReviews/definitions/:id': { url: '/v1.0/identityGovernance/accessReviews/definitions/{review}', expect: scoped('AccessReview.Read.All') },
  'GET /v1.0/identityGovernance/accessReviews/definitions/:id/instances': { url: '/v1.0/identityGovernance/accessReviews/definitions/{review}/instances', expect: scoped('AccessReview.Read.All') },
  'GET /v1.0/identityGovernance/accessReviews/definitions/:id/instances/:instanceId': { url: '/v1.0/identityGovernance/accessReviews/definitions/{review}/instances/{review}', expect: scoped('AccessReview.Read.All') },
  'GET /v1.0/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/decisions': { url: '/v1.0/identityGovernance/accessReviews/definitions/{review}/instances/{review}/decisions', expect: scoped('AccessReview.Read.All') },
  'GET /docs/api': { url: '/docs/api', expect: all('allow') },
  'GET /v1.0/openapi.json': { url: '/v1.0/openapi.json', expect: Object.fromEntries(ROLES.map((r) => [r, 'allow'])) as Record<Role, Rule> },
  'POST /v1.0/invitations': { url: '/v1.0/invitations', body: { invitedUserEmailAddress: 'matrix-api@newco.test', inviteRedirectUrl: '{publicUrl}/access' }, expect: scoped('User.Invite.All') },
  'GET /v1.0/users': { url: '/v1.0/users', expect: scoped('User.Read.All') },
  'GET /v1.0/users/:id': { url: '/v1.0/users/{guest}', expect: scoped('User.Read.All') },
  'GET /v1.0/groups': { url: '/v1.0/groups', expect: scoped('GroupMember.ReadWrite.All') },
  'GET /v1.0/groups/:id': { url: '/v1.0/groups/{item}', expect: scoped('GroupMember.ReadWrite.All') },
  'GET /v1.0/groups/:id/members': { url: '/v1.0/groups/{item}/members', expect: scoped('GroupMember.ReadWrite.All') },
  'POST /v1.0/groups/:id/members/$ref': { url: '/v1.0/groups/{item}/members/$ref', body: { '@odata.id': '{publicUrl}/v1.0/directoryObjects/{guest}' }, expect: scoped('GroupMember.ReadWrite.All') },
  'DELETE /v1.0/groups/:id/members/:memberId/$ref': { url: '/v1.0/groups/{item}/members/{guest}/$ref', expect: scoped('GroupMember.ReadWrite.All') },
  'GET /v1.0/accessRequests': { url: '/v1.0/accessRequests', expect: scoped('AccessRequest.Read.All', 'AccessRequest.ReadWrite.All') },
  'GET /v1.0/accessRequests/:id': { url: '/v1.0/accessRequests/{apiRequest}', expect: scoped('AccessRequest.Read.All', 'AccessRequest.ReadWrite.All') },
  'POST /v1.0/accessRequests/:id/approve': { url: '/v1.0/accessRequests/{apiRequest}/approve', body: {}, expect: scoped('AccessRequest.ReadWrite.All') },
  'POST /v1.0/accessRequests/:id/deny': { url: '/v1.0/accessRequests/{apiRequest}/deny', body: {}, expect: scoped('AccessRequest.ReadWrite.All') },
  'GET /v1.0/auditLogs/directoryAudits': { url: '/v1.0/auditLogs/directoryAudits', expect: scoped('AuditLog.Read.All') },
  'GET /v1.0/auditLogs/directoryAudits/:id': { url: '/v1.0/auditLogs/directoryAudits/1', expect: scoped('AuditLog.Read.All') },
  'GET /v1.0/applications': { url: '/v1.0/applications', expect: scoped('Application.Read.All') },
  'GET /v1.0/applications/:id': { url: '/v1.0/applications/{app}', expect: scoped('Application.Read.All') },
};

let stack: Stack;
const people = {} as Record<Person, Browser>;
const tokens = {} as Record<Role, string | null>;
const ids: Record<string, string> = {};

before(async () => {
  stack = await startStack();
  ids.publicUrl = stack.config.publicUrl;
  people.anonymous = new Browser();
  people.partner = new Browser();
  ids.request = String((await submitAsPartner(stack, people.partner, 'acme', 'paula@acme.test', ['Partner Wiki'])).id);
  await waitUntilRouted(stack, Number(ids.request));
  people.otherPartner = new Browser();
  ids.apiRequest = String((await submitAsPartner(stack, people.otherPartner, 'acme', 'pete@acme.test', ['Partner Wiki'])).id);
  await waitUntilRouted(stack, Number(ids.apiRequest));
  people.sponsor = new Browser();
  await people.sponsor.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  people.otherSponsor = new Browser();
  await people.otherSponsor.signIn(stack.appUrl, 'ours', 'omar.member@passerelle.test');
  tokens['api:none'] = null;
  for (const scope of ALL_SCOPES) tokens[`api:${scope}`] = (await buildApiClient(stack, { name: `matrix ${scope}`, scopes: [scope] })).token;
  ids.apiClient = String((await buildApiClient(stack, { name: 'to revoke', scopes: ['User.Read.All'] })).id);
  people.owner = new Browser();
  await people.owner.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  people.admin = new Browser();
  await people.admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
  [ids.item] = await catalogIds(stack, ['Quality Reviews']);
  ids.idp = String(await idpIdOf(stack, 'acme'));
  ids.org = String(await organizationIdOf(stack, 'Acme Industries'));
  ids.guest = String(await buildGuest(stack, { name: 'Matrix Guest', email: 'matrix@guest.test' }));
  await buildGuest(stack, { name: 'Reviewed Guest', email: 'reviewed@guest.test', memberships: ['Quality Reviews'] });
  const review = { name: 'Matrix review', scope: 'item' as const, scopeId: Number(ids.item), recurrenceMonths: null, deadlineAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), defaultDecision: 'keep' as const };
  ids.review = String((await startCampaign(stack, systemContext(), review, await userIdOf(stack, 'ada.admin@passerelle.test'))).id);
  [ids.group] = await catalogIds(stack, ['Project Atlas']);
  [ids.app] = await catalogIds(stack, ['Supplier Portal']);
  const form = await people.admin.go(`${stack.appUrl}/invitations`);
  const batch = await people.admin.submit(form, '/invitations', { emails: 'batch@newco.test', items: [ids.item] });
  ids.batch = /\/invitations\/batches\/(\d+)/.exec(batch.url)![1];
});
after(async () => {
  await stack?.stop();
});

const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]);

function verdict(page: Page): 'allow' | 'deny' {
  if ([401, 403, 404].includes(page.status)) return 'deny';
  if ([302, 303].includes(page.status) && /[?&]signIn=1/.test(String(page.headers.location ?? ''))) return 'deny';
  return 'allow';
}

/** An API caller: a bearer token (or none) and no cookie, on any route, web page or API. */
async function callWithToken(role: Role, method: string, url: string, body?: Record<string, unknown>): Promise<Page> {
  let req = supertest(stack.appUrl)[method.toLowerCase() as 'get' | 'post' | 'delete'](url).redirects(0);
  const token = tokens[role];
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  if (body) req = url.startsWith('/v1.0/') ? req.send(body) : req.type('form').send(body);
  const res = await req.ok(() => true);
  return { status: res.status, url, text: res.text ?? '', headers: res.headers };
}

async function callAsPerson(role: Person, method: string, url: string, body?: Record<string, unknown>): Promise<Page> {
  const b = people[role];
  // A signed-in person's cookie is no API credential.
  if (url.startsWith('/v1.0/')) return b.json(method as 'GET' | 'POST' | 'DELETE', stack.appUrl + url, body);
  if (method === 'GET') return b.request('GET', stack.appUrl + url);
  const home = await b.request('GET', `${stack.appUrl}/`);
  return b.request('POST', stack.appUrl + url, { _csrf: csrfToken(home.text) ?? '', ...(body as Record<string, string | string[]>) });
}

test('every route has a rule', () => {
  const missing = listRoutes(stack.web.app).filter((r) => !(r in RULES));
  assert.deepEqual(missing, [], 'add these routes to the matrix');
});

test('every route answers every kind of caller as its rule says, and every refusal is audited', async (t) => {
  const wrong: string[] = [];
  let cells = 0;
  const refusals: { cell: string; requestId: string }[] = [];
  for (const [route, rule] of Object.entries(RULES)) {
    const method = route.split(' ')[0];
    const url = fill(rule.url);
    const body = rule.body && Object.fromEntries(Object.entries(rule.body).map(([k, v]) => [k, Array.isArray(v) ? v.map(fill) : fill(v)]));
    for (const role of ROLES) {
      // Web pages treat API callers as anonymous, and their forms need the CSRF token of a session
      // page, so a token-only POST is refused; API routes accept tokens only.
      const webDefault = method === 'GET' || rule.expect.anonymous === 'any' ? rule.expect.anonymous : 'deny';
      const expected = rule.expect[role] ?? (url.startsWith('/v1.0/') ? 'deny' : webDefault);
      if (expected === 'any') continue;
      const page = role in people ? await callAsPerson(role as Person, method, url, body) : await callWithToken(role, method, url, body);
      const got = verdict(page);
      cells++;
      if (got !== expected) wrong.push(`${route} as ${role}: expected ${expected}, got ${page.status} ${String(page.headers.location ?? '')}`);
      if ([401, 403].includes(page.status) || (page.status === 404 && role !== 'anonymous' && got === expected && expected === 'deny' && /\{(request|apiRequest|batch|item|guest)\}/.test(rule.url))) {
        refusals.push({ cell: `${route} as ${role} (${page.status})`, requestId: String(page.headers['x-request-id']) });
      }
    }
  }
  assert.deepEqual(wrong, []);
  const audited = new Set(
    (await stack.db('audit_events').whereIn('correlation_id', refusals.map((r) => r.requestId)).where({ outcome: 'denied' }).select('correlation_id')).map((r) => r.correlation_id as string),
  );
  assert.deepEqual(refusals.filter((r) => !audited.has(r.requestId)).map((r) => r.cell), [], 'refusals without an audit event');
  assert.ok(refusals.length > 100, `${refusals.length} refusals checked`);
  t.diagnostic(`${Object.keys(RULES).length} routes, ${ROLES.length} kinds of caller, ${cells} cells checked, ${refusals.length} refusals found audited`);
});
