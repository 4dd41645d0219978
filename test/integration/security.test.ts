// Security checks against the running app (issue 5, first part): session fixation and cookie flags,
// single use of invitation tokens under a race, mass assignment, hostile input, output encoding,
// rate limits that a forged X-Forwarded-For does not escape, and an audit chain that never forks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken, redeemLink } from '../harness/browser.ts';
import { catalogIds, decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { auditEvents, countRows } from '../harness/stored.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { appendAudit, verifyAuditChain } from '../../src/db/audit.ts';
import { loadConfig } from '../../src/config.ts';
import { startWeb } from '../../src/web/server.ts';
import { createLogger } from '../../src/log.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_SIGNIN_PER_MINUTE: '150' } });
});
after(async () => {
  await stack?.stop();
});

const cookieOf = (headers: Record<string, unknown>, name = 'passerelle.sid') =>
  ([] as string[]).concat((headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));

describe('sessions', () => {
  test('a session cookie planted before sign-in is not the one after it, and stops working', async () => {
    const planted = cookieOf((await supertest(stack.appUrl).get('/')).headers);
    assert.ok(planted, 'the home page starts a session (its form carries a CSRF token)');
    const pair = planted!.split(';')[0];
    const b = new Browser();
    // The attacker's cookie is the one the victim's browser holds when it signs in.
    b.plantCookie(stack.appUrl, pair);
    await b.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const mine = await b.go(`${stack.appUrl}/requests`);
    assert.equal(mine.status, 200);
    const withPlanted = await supertest(stack.appUrl).get('/requests').set('Cookie', pair).redirects(0);
    assert.equal(withPlanted.status, 303, 'the planted id is not signed in');
  });

  test('in production the cookie is __Host- prefixed and Secure, and HSTS is sent', async () => {
    const config = loadConfig({
      ...stack.env, NODE_ENV: 'production', PUBLIC_URL: 'https://partners.example.test', PORT: '0', TRUST_PROXY: '1',
      SESSION_SECRET: 'a-production-secret-of-enough-length-0123456789', OIDC_SECRET_KEY: 'a-production-oidc-key-of-enough-length-0123456789', FAULTS: undefined, LOG_LEVEL: 'silent',
    });
    const web = await startWeb({ config, db: stack.db }, createLogger('silent', 'prod-test'));
    try {
      const res = await supertest(web.url).get('/').set('X-Forwarded-Proto', 'https');
      const cookie = cookieOf(res.headers, '__Host-passerelle');
      assert.ok(cookie, `cookies: ${String(res.headers['set-cookie'])}`);
      assert.match(cookie!, /; Secure/i);
      assert.match(cookie!, /; HttpOnly/i);
      assert.match(cookie!, /; Path=\//);
      assert.doesNotMatch(cookie!, /Domain=/i);
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
    } finally {
      await web.close();
    }
  });

  test('the session cookie is HttpOnly and SameSite=Lax', async () => {
    const cookie = cookieOf((await supertest(stack.appUrl).get('/')).headers)!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
  });
});

describe('tokens', () => {
  test('twenty parallel redemptions of one invitation: exactly one succeeds', async () => {
    const paula = new Browser();
    const { id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, id);
    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    await decide(stack, sam, id, 'approve');
    const link = redeemLink((await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject))).text);
    const browsers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const b = new Browser();
        await b.go(link);
        await b.signIn(stack.appUrl, 'acme', 'paula@acme.test');
        return { b, review: await b.go(`${stack.appUrl}/redeem`) };
      }),
    );
    const results = await Promise.all(browsers.map(({ b, review }) => b.request('POST', `${stack.appUrl}/redeem`, { _csrf: csrfToken(review.text)! })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(results.filter((r) => r.status === 303).map((r) => r.headers.location), ['/access?welcome=1']);
    assert.equal(statuses.filter((s) => s === 303).length, 1, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 404).length, 19);
    assert.equal((await auditEvents(stack, { action: 'invitation.redeemed' })).length, 1);
  });
});

describe('hostile input', () => {
  test('a submission cannot set its own status, decider or requester (mass assignment)', async () => {
    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const form = await pete.go(`${stack.appUrl}/requests/new`);
    const page = await pete.submit(form, '/requests', {
      items: await catalogIds(stack, ['Supplier Portal']),
      justification: 'Mass assignment attempt, please ignore.',
      status: 'approved', decided_by: '1', requester_email: 'ada.admin@passerelle.test', role: 'admin',
    });
    assert.equal(page.status, 200);
    const row = await stack.db('access_requests').where({ requester_subject: 'acme-pete' }).orderBy('id', 'desc').first();
    assert.equal(row.status, 'pending');
    assert.equal(row.decided_by, null);
    assert.equal(row.requester_email, 'pete@acme.test');
  });

  test('arrays where strings belong, __proto__ keys and oversized bodies are refused with 400/413 and store nothing', async () => {
    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const form = await pete.go(`${stack.appUrl}/requests/new`);
    const csrf = csrfToken(form.text)!;
    const items = await catalogIds(stack, ['Supplier Portal']);
    const before = await countRows(stack, 'access_requests');
    const arrays = await pete.request('POST', `${stack.appUrl}/requests`, { _csrf: csrf, items, justification: ['one reason here', 'another reason'] });
    assert.equal(arrays.status, 400, `${arrays.status} ${String(arrays.headers.location)}`);
    const proto = await pete.request('POST', `${stack.appUrl}/requests`, { _csrf: csrf, items, justification: 'A fine reason indeed.', '__proto__[role]': 'admin' });
    assert.equal(proto.status, 400);
    assert.match(proto.text, /Please correct/);
    const huge = await pete.request('POST', `${stack.appUrl}/requests`, { _csrf: csrf, items, justification: 'x'.repeat(64 * 1024) });
    assert.equal(huge.status, 413);
    assert.match(huge.text, /too large/);
    assert.deepEqual(await countRows(stack, 'access_requests'), before);
  });

  test('HTML in free text is shown as text to the sponsor, never run', async () => {
    const gary = new Browser();
    const { id } = await submitAsPartner(stack, gary, 'globex', 'gary@globex.test', ['Quality Reviews'],
      '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & more');
    await waitUntilRouted(stack, id);
    const sue = new Browser();
    await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
    const page = await sue.go(`${stack.appUrl}/inbox/${id}`);
    assert.doesNotMatch(page.text, /<script>alert\(1\)<\/script>/);
    assert.doesNotMatch(page.text, /<img src=x/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
  });

  test('query strings cannot reach the template engine options', async () => {
    const admin = new Browser();
    await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const page = await admin.go(`${stack.appUrl}/admin/audit?settings[view options][outputFunctionName]=x;process.exit(1);//&action=x`);
    assert.equal(page.status, 200);
    assert.equal((await supertest(stack.appUrl).get('/healthz')).status, 200, 'still running');
  });
});

describe('rate limits', () => {
  test('sign-in is limited per client, and a forged X-Forwarded-For does not escape the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 160; i++) {
      const res = await supertest(stack.appUrl).get('/auth/acme').set('X-Forwarded-For', `203.0.113.${i}`).redirects(0);
      statuses.push(res.status);
    }
    assert.ok(statuses.includes(429), 'the limit was reached although every request claimed another address');
    const refused = await supertest(stack.appUrl).get('/auth/acme').redirects(0);
    assert.equal(refused.status, 429);
    assert.match(refused.text, /Too many attempts/);
  });
});

describe('audit', () => {
  test('concurrent appends never fork the chain', async () => {
    const ctx = { actor: { type: 'system' as const, id: 'system:test', label: null }, ip: null, correlationId: 'race' };
    await Promise.all(Array.from({ length: 40 }, (_, i) => inTransaction(stack.db, (trx) => appendAudit(trx, ctx, { action: 'test.race', details: { i } }))));
    const check = await verifyAuditChain(stack.db);
    assert.ok(check.ok, JSON.stringify(check));
    const seqs = (await stack.db('audit_events').orderBy('seq').select('seq')).map((r) => Number(r.seq));
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  });
});
