// Rate limits per account and per target address (ASVS V2.2.1, V11.1.4), not only per client: the app
// trusts one proxy hop here (TRUST_PROXY), and every request below claims another client address in
// X-Forwarded-For, as a botnet or a rotating proxy would. The per-client limits cannot see them; the
// per-account and per-address ones must.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser, csrfToken } from '../harness/browser.ts';
import { catalogIds } from '../harness/flows.ts';
import { SESSION_COOKIE, cookieIn } from '../harness/sessions.ts';
import { auditEvents } from '../harness/stored.ts';

const SUBMIT = 10;
const REDEEM = 5;
// Three sign-ins and two code requests come from the test's own address: this leaves it headroom.
const SIGNIN = 10;

let stack: Stack;
before(async () => {
  stack = await startStack({
    env: {
      TRUST_PROXY: 'true',
      RATE_LIMIT_SUBMIT_PER_MINUTE: String(SUBMIT),
      RATE_LIMIT_REDEEM_PER_MINUTE: String(REDEEM),
      RATE_LIMIT_SIGNIN_PER_MINUTE: String(SIGNIN),
    },
  });
});
after(async () => {
  await stack?.stop();
});

let nextAddress = 1;
/** A client address nobody has used yet in this file. */
const freshAddress = () => `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

/** A request with this browser's session cookie, from a client address never seen before. */
function fromNewAddress(b: Browser, method: 'get' | 'post', path: string, form?: Record<string, string | string[]>) {
  const req = supertest(stack.appUrl)[method](path).set('Cookie', `${SESSION_COOKIE}=${cookieIn(b, stack.appUrl)}`).set('X-Forwarded-For', freshAddress()).redirects(0);
  if (!form) return req;
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of ([] as string[]).concat(v)) body.append(k, value);
  return req.type('form').send(body.toString());
}

test(`the ${SUBMIT + 1}th request for access by one account in a minute is refused, whatever address it comes from, and nothing is stored for it`, async () => {
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const _csrf = csrfToken(form.text)!;
  const items = await catalogIds(stack, ['Partner Wiki']);
  const statuses: number[] = [];
  let last = { status: 0, text: '' };
  for (let i = 1; i <= SUBMIT + 1; i++) {
    last = await fromNewAddress(paula, 'post', '/requests', { _csrf, items, justification: `Submission number ${i} from yet another address.` });
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [...Array(SUBMIT).fill(303), 429]);
  assert.match(last.text, /Too many attempts\. Please wait a minute and try again\./);
  assert.match(last.text, /<h1>/, 'a page, not a bare status');
  const stored = await stack.db('access_requests').where({ requester_subject: 'acme-paula' }).select('justification');
  assert.equal(stored.length, SUBMIT);
  assert.ok(!stored.some((r) => r.justification.includes(`number ${SUBMIT + 1} `)), 'the refused submission left no row');
  const refusal = await auditEvents(stack, { action: 'rate_limit', target: 'limit:submit-account', outcome: 'denied' });
  assert.equal(refusal.length, 1, 'the refusal is audited');
  assert.match(refusal[0].actor_id, /acme-paula/);

  // The limit is Paula's, not everyone's: Pete, from yet another address, is not held back by it.
  const pete = new Browser();
  await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  const peteForm = await pete.go(`${stack.appUrl}/requests/new`);
  const res = await fromNewAddress(pete, 'post', '/requests', { _csrf: csrfToken(peteForm.text)!, items, justification: 'Pete needs the wiki for the audit.' });
  assert.equal(res.status, 303);
});

test(`redemption attempts are limited per signed-in account (${REDEEM} a minute) across client addresses`, async () => {
  const gary = new Browser();
  await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
  const statuses: number[] = [];
  let last = { status: 0, text: '' };
  for (let i = 0; i <= REDEEM; i++) {
    last = await fromNewAddress(gary, 'get', `/redeem/${'A'.repeat(42)}${i}`);
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [...Array(REDEEM).fill(404), 429]);
  assert.match(last.text, /Too many attempts/);
  // Someone else (not signed in) asking from yet another address is answered normally.
  const other = await supertest(stack.appUrl).get(`/redeem/${'B'.repeat(43)}`).set('X-Forwarded-For', freshAddress());
  assert.equal(other.status, 404);
  assert.match(other.text, /not valid/);
});

function codeIn(text: string): string {
  const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(text)?.[1];
  assert.ok(code, `no code in: ${text}`);
  return code!;
}

async function askForCode(email: string) {
  const b = new Browser();
  const page = await b.submit(await b.go(`${stack.appUrl}/`), '/auth/discover', { email });
  assert.equal(page.status, 200, page.text.slice(0, 300));
  const mail = await stack.mail.waitFor((m) => m.to.includes(email));
  return { b, csrf: csrfToken(page.text)!, code: codeIn(mail.text) };
}

test(`wrong one-time codes typed for an address from many clients (${SIGNIN} and more) do not hold back its owner's right code`, async () => {
  const victim = await askForCode('victim@nowhere-corp.test');
  const attacker = new Browser();
  const attackerForm = await attacker.go(`${stack.appUrl}/`);
  const wrong: number[] = [];
  for (let i = 0; i < SIGNIN; i++) {
    const res = await fromNewAddress(attacker, 'post', '/auth/email-code/verify', { _csrf: csrfToken(attackerForm.text)!, email: 'victim@nowhere-corp.test', code: `AAAAA-AAAAA-AAAAA-AAAAA-AAAA${'ABCDEFGHIJ'[i]}A` });
    wrong.push(res.status);
  }
  assert.deepEqual(wrong, Array(SIGNIN).fill(401), 'each guess came from a new address, so no per-client limit applied');
  // Guessing 128 bits is hopeless: a per-address count of wrong codes would only lock the owner out
  // (each client's guesses are bounded by the per-client limit; see otp-lockout.test.ts).
  const right = await fromNewAddress(victim.b, 'post', '/auth/email-code/verify', { _csrf: victim.csrf, email: 'victim@nowhere-corp.test', code: victim.code });
  assert.equal(right.status, 303);
  assert.equal(right.headers.location, '/requests');
  const row = await stack.db('one_time_codes').where({ email: 'victim@nowhere-corp.test' }).first();
  assert.notEqual(row.consumed_at, null, 'the code was used');
  assert.equal((await auditEvents(stack, { action: 'auth.code_used', target: 'email:victim@nowhere-corp.test', outcome: 'failure' })).length, SIGNIN, 'each wrong code is audited');

  // Another address is not affected: its owner signs in with the code from her mail.
  const other = await askForCode('bystander@nowhere-corp.test');
  const ok = await fromNewAddress(other.b, 'post', '/auth/email-code/verify', { _csrf: other.csrf, email: 'bystander@nowhere-corp.test', code: other.code });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.location, '/requests');
});
