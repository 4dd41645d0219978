// Scale-out: two web processes and two worker processes on one PostgreSQL database and one Redis.
// Sessions, CSRF tokens, rate limits and decisions hold across processes: what one web process did,
// the other one knows; two sponsors racing on two processes get one win and one 409; one invitation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, isPostgres, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, type Page } from '../harness/browser.ts';
import { catalogIds, waitUntilRouted } from '../harness/flows.ts';
import { startWebProcess, startWorkerProcess, type Proc } from '../harness/processes.ts';
import { auditEvents, invitationsForRequest, requestRow, requestsOf } from '../harness/stored.ts';
import { freePort } from '../../src/demo/net.ts';

/**
 * A browser whose cookies for the app are shared by web A and web B, as a real browser shares
 * cookies across ports of one host (behind a load balancer both would even be the same origin).
 * Everything else (the IdPs) goes through the ordinary Browser.
 */
class SharedCookieBrowser extends Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly appOrigins: string[]) {
    super();
  }

  override async request(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>): Promise<Page> {
    const u = new URL(url);
    if (!this.appOrigins.includes(u.origin)) return super.request(method, url, form);
    const path = u.pathname + u.search;
    const agent = supertest(u.origin);
    const req = method === 'GET' ? agent.get(path) : agent.post(path).type('form').send(encode(form ?? {}));
    if (this.cookies.size) req.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await req.redirects(0).ok(() => true);
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) this.keep(line);
    return { status: res.status, url, text: res.text ?? '', headers: res.headers };
  }

  private keep(setCookie: string): void {
    const [pair, ...attributes] = setCookie.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expires = attributes.find((a) => /^expires=/i.test(a));
    const maxAge = attributes.find((a) => /^max-age=/i.test(a));
    const gone = !value || (expires && new Date(expires.slice(8)).getTime() <= Date.now()) || (maxAge && Number(maxAge.slice(8)) <= 0);
    if (gone) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

function encode(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of ([] as string[]).concat(v)) params.append(k, value);
  return params.toString();
}

const skip = isPostgres()
  ? false
  : 'several web and worker processes share one PostgreSQL database; set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it';

// Two web processes (A and B) and two workers, all children of this test on the stack's environment.
let stack: Stack;
let A = ''; // web A: the stack's PORT, = PUBLIC_URL, where the IdPs call back
let B = ''; // web B: another port, same PUBLIC_URL
const procs: Proc[] = [];
let items: string[] = [];
const submitted: number[] = [];
let paula: SharedCookieBrowser;

before(async () => {
  if (skip) return;
  stack = await startStack({ web: false, worker: false });
  const portB = await freePort();
  A = stack.appUrl;
  B = `http://127.0.0.1:${portB}`;
  // Submissions at the production limit, 10 a minute per client, whatever the harness sets for other tests.
  const webEnv = { ...stack.env, RATE_LIMIT_SUBMIT_PER_MINUTE: '10' };
  const started = await Promise.all([
    startWebProcess(webEnv),
    startWebProcess({ ...webEnv, PORT: String(portB) }),
    startWorkerProcess(stack.env),
    startWorkerProcess(stack.env),
  ]);
  procs.push(...started);
  items = await catalogIds(stack, ['Partner Wiki']);
  paula = new SharedCookieBrowser([A, B]);
});
after(async () => {
  for (const p of procs) await p.kill('SIGTERM');
  await stack?.stop();
});

/** Posts a new request with a token from a form on `formFrom`, to `postTo`. */
async function submitVia(formFrom: string, postTo: string, n: number): Promise<Page> {
  const form = await paula.go(`${formFrom}/requests/new`);
  assert.equal(form.status, 200, form.text.slice(0, 300));
  return paula.request('POST', `${postTo}/requests`, { _csrf: csrfToken(form.text)!, items, justification: `Scale-out request number ${n}.` });
}

function keepId(page: Page): number {
  assert.equal(page.status, 303, page.text.slice(0, 300));
  const id = Number(/^\/requests\/(\d+)\?submitted=1$/.exec(String(page.headers.location))?.[1]);
  assert.ok(id > 0, `redirected to ${page.headers.location}`);
  submitted.push(id);
  return id;
}

test('a session made on A works on B', { skip }, async () => {
  const landing = await paula.signIn(A, 'acme', 'paula@acme.test');
  assert.equal(landing.status, 200);
  assert.ok(landing.url.startsWith(`${A}/requests`), `landed on ${landing.url}`);
  const onB = await paula.go(`${B}/requests`);
  assert.equal(onB.status, 200, onB.text.slice(0, 300));
  assert.equal(onB.url, `${B}/requests`, 'B served the page itself, without sending her to sign in');
  assert.match(onB.text, /Signed in as Paula Partner \(paula@acme\.test\)/);
  // Without the cookie B sends her to sign in: the session is what made the difference.
  const stranger = await new Browser().request('GET', `${B}/requests`);
  assert.equal(stranger.status, 303);
  assert.equal(stranger.headers.location, '/?signIn=1');
});

test('a CSRF token from a page of A is accepted by a POST to B, and B still refuses a wrong token', { skip }, async () => {
  const page = await submitVia(A, B, 1);
  const id = keepId(page);
  const shown = await paula.go(new URL(String(page.headers.location), B).toString());
  assert.equal(shown.status, 200);
  assert.match(shown.text, /Your request was submitted/);
  assert.ok(await requestRow(stack, id));
  // The logout form is CSRF-protected and not rate limited: a wrong token is refused on B.
  const forged = await paula.request('POST', `${B}/auth/logout`, { _csrf: 'not-the-token' });
  assert.equal(forged.status, 403);
  assert.equal((await paula.go(`${A}/requests`)).status, 200, 'still signed in');
});

test('the per-client submission limit (10 a minute) counts across A and B', { skip }, async () => {
  // One went through B in the previous test; 6 via A and 3 more via B make the 10 of this minute.
  for (let n = 2; n <= 7; n++) keepId(await submitVia(A, A, n));
  for (let n = 8; n <= 10; n++) keepId(await submitVia(B, B, n));
  assert.equal(submitted.length, 10);
  for (const [via, n] of [[A, 11], [B, 12]] as const) {
    const refused = await submitVia(via, via, n);
    assert.equal(refused.status, 429, `submission ${n} via ${via === A ? 'A' : 'B'}: ${refused.text.slice(0, 300)}`);
    assert.match(refused.text, /Too many attempts/);
  }
  assert.equal((await requestsOf(stack, 'paula@acme.test')).length, 10, 'the refused ones were not stored');
});

test("a sponsor's approval through A is visible through B", { skip }, async () => {
  const id = submitted[0];
  await waitUntilRouted(stack, id);
  const sam = new SharedCookieBrowser([A, B]);
  await sam.signIn(A, 'ours', 'sam.sponsor@passerelle.test');
  const detailA = await sam.go(`${A}/inbox/${id}`);
  assert.equal(detailA.status, 200);
  const decided = await sam.submit(detailA, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
  assert.equal(decided.status, 200, decided.text.slice(0, 300));
  assert.ok(decided.url.startsWith(`${A}/inbox?decided=${id}`), decided.url);

  const detailB = await sam.go(`${B}/inbox/${id}`);
  assert.equal(detailB.status, 200);
  assert.match(detailB.text, /status-(approved|provisioned)/);
  assert.doesNotMatch(detailB.text, new RegExp(`action="/inbox/${id}/decision"`), 'B offers no second decision');
  const partnerB = await paula.go(`${B}/requests/${id}`);
  assert.match(partnerB.text, /status-(approved|provisioned)/);
  // And once a worker has provisioned it, B shows that too.
  await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned', 20_000);
  assert.match((await sam.go(`${B}/inbox/${id}`)).text, /status-provisioned/);
});

test('two sponsors racing on two processes: one wins, one gets 409; provisioned once although two workers run', { skip }, async (t) => {
  const id = submitted[1];
  await waitUntilRouted(stack, id);
  const sam = new SharedCookieBrowser([A, B]);
  await sam.signIn(A, 'ours', 'sam.sponsor@passerelle.test');
  // Ada starts her sign-in on B; the IdP sends her back to A (PUBLIC_URL), which finds B's session.
  const ada = new SharedCookieBrowser([A, B]);
  const adaLanding = await ada.signIn(B, 'ours', 'ada.admin@passerelle.test');
  assert.equal(adaLanding.status, 200, adaLanding.text.slice(0, 300));
  assert.match(adaLanding.text, /Signed in as Ada Admin/);

  const samPage = await sam.go(`${A}/inbox/${id}`);
  const adaPage = await ada.go(`${B}/inbox/${id}`);
  for (const p of [samPage, adaPage]) {
    assert.equal(p.status, 200);
    assert.match(p.text, new RegExp(`action="/inbox/${id}/decision"`), 'both may decide');
  }
  const [samAnswer, adaAnswer] = await Promise.all([
    sam.request('POST', `${A}/inbox/${id}/decision`, { _csrf: csrfToken(samPage.text)!, decision: 'approve', reason: '' }),
    ada.request('POST', `${B}/inbox/${id}/decision`, { _csrf: csrfToken(adaPage.text)!, decision: 'approve', reason: '' }),
  ]);
  const statuses = [samAnswer.status, adaAnswer.status].sort();
  assert.deepEqual(statuses, [303, 409], `sam via A: ${samAnswer.status}, ada via B: ${adaAnswer.status}`);
  const loser = samAnswer.status === 409 ? samAnswer : adaAnswer;
  assert.match(loser.text, /already been decided/);

  const winnerEmail = samAnswer.status === 303 ? 'sam.sponsor@passerelle.test' : 'ada.admin@passerelle.test';
  t.diagnostic(`race won by ${winnerEmail}`);
  const winner = await stack.db('users').where({ email: winnerEmail, user_type: 'member' }).first();
  await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned', 20_000);
  const request = await requestRow(stack, id);
  assert.equal(Number(request.decided_by), Number(winner.id), 'the winner is recorded as the decider');
  assert.equal((await auditEvents(stack, { action: 'request.approved', target: `request:${id}` })).length, 1);
  assert.equal((await stack.db('outbox').where({ topic: 'request.approved' })).filter((o) => JSON.parse(o.payload).requestId === id).length, 1);

  // Room for a second provisioning or a second mail to show up, if there were one.
  const invitation = await eventually('invitation created', async () => stack.db('invitations').where({ request_id: id }).first());
  const dedupe = `invitation:${invitation.id}`;
  await eventually('invitation mail sent', async () => (await stack.db('mail_messages').where({ dedupe_key: dedupe }).first())?.status === 'sent', 15_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await invitationsForRequest(stack, id)).length, 1, 'one invitation');
  assert.equal((await auditEvents(stack, { action: 'request.provisioned', target: `request:${id}` })).length, 1, 'provisioned once');
  assert.equal((await stack.db('mail_messages').where({ dedupe_key: dedupe })).length, 1);
  // The catcher saw this invitation's message exactly once (its Message-ID names the invitation).
  const delivered = stack.mail.messages().filter((m) => (m.headers['message-id'] ?? '').includes(`.invitation.${invitation.id}@passerelle`));
  assert.equal(delivered.length, 1, 'the invitation mail reached the catcher once');
  assert.ok(delivered[0].to.includes('paula@acme.test') && /invited/i.test(delivered[0].subject));
});
