// Nobody can lock another person out of one-time codes. Codes are 128 random bits, so guessing is
// not the threat; the limits are there to bound what a stranger can do, and must not turn into a way
// of refusing the owner of the mailbox. The app trusts the proxy here (TRUST_PROXY), so each actor
// below comes from its own client address, as separate machines would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { eventually, startStack, type Stack } from '../harness/stack.ts';
import { csrfToken } from '../harness/browser.ts';
import { auditEvent } from '../harness/stored.ts';

// Sign-ins a minute per client address; also the discovery limit per typed address (eleven asks below).
const PER_CLIENT = 12;
let stack: Stack;
before(async () => {
  stack = await startStack({ env: { TRUST_PROXY: 'true', RATE_LIMIT_SIGNIN_PER_MINUTE: String(PER_CLIENT) } });
});
after(async () => {
  await stack?.stop();
});

let nextAddress = 1;
const freshAddress = () => `203.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

/** Someone with a browser of their own on their own client address. */
async function person() {
  const address = freshAddress();
  const agent = supertest.agent(stack.appUrl);
  const home = await agent.get('/').set('X-Forwarded-For', address);
  const csrf = csrfToken(home.text)!;
  const post = (path: string, form: Record<string, string>) =>
    agent.post(path).set('X-Forwarded-For', address).type('form').send(new URLSearchParams({ _csrf: csrf, ...form }).toString()).redirects(0);
  return {
    address,
    askForCode: (email: string) => post('/auth/discover', { email }),
    typeCode: (email: string, code: string) => post('/auth/email-code/verify', { email, code }),
    signedIn: async () => (await agent.get('/requests').set('X-Forwarded-For', address).redirects(0)).status === 200,
  };
}

const mailsTo = (email: string) => stack.mail.messages().filter((m) => m.to.includes(email));

/** The code in the `n`th mail to this address (1 = the first), once it has arrived. */
async function codeOfMail(email: string, n: number): Promise<string> {
  const mail = await eventually(`mail ${n} to ${email}`, async () => mailsTo(email)[n - 1]);
  const code = /\n\n([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}-[A-Z2-7]{6})\n/.exec(mail.text)?.[1];
  assert.ok(code, `no code in: ${mail.text}`);
  return code!;
}

/** Wrong codes typed for `email`, `perClient` from each of `clients` new client addresses; returns the statuses. */
async function guesses(email: string, clients: number, perClient: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let c = 0; c < clients; c++) {
    const stranger = await person();
    for (let i = 0; i < perClient; i++) statuses.push((await stranger.typeCode(email, `AAAAA-AAAAA-AAAAA-AAAAA-AAA${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[c % 26]}${'ABCDEFGHIJ'[i % 10]}A`)).status);
  }
  return statuses;
}

test('32 wrong codes typed from 4 client addresses do not lock the owner out: her right code, from her own address, signs her in', async () => {
  const victim = await person();
  const email = 'vera@nowhere-corp.test';
  assert.equal((await victim.askForCode(email)).status, 200);
  const code = await codeOfMail(email, 1);
  const wrong = await guesses(email, 4, 8);
  const res = await victim.typeCode(email, code);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.equal(res.headers.location, '/requests');
  assert.ok(await victim.signedIn());
  assert.deepEqual(wrong, Array(32).fill(401), 'each wrong code answered as wrong');
});

test('the guesses are bounded per client: one client address is refused past the sign-in limit, and the refusal is audited', async () => {
  const email = 'wanda@nowhere-corp.test';
  const statuses = await guesses(email, 1, PER_CLIENT + 1);
  assert.deepEqual(statuses, [...Array(PER_CLIENT).fill(401), 429]);
  assert.ok(await auditEvent(stack, { action: 'rate_limit', outcome: 'denied' }), 'the refusal is audited');
});

test('strangers asking for codes for someone else’s address do not use up her own requests', async () => {
  const email = 'xena@nowhere-corp.test';
  const stranger = await person();
  for (let i = 0; i < 3; i++) assert.equal((await stranger.askForCode(email)).status, 200);
  const fourth = await stranger.askForCode(email);
  assert.equal(fourth.status, 429, 'the stranger’s own client is held back');
  assert.match(fourth.text, /Several codes were sent to this address recently/);
  assert.equal((await (await person()).askForCode(email)).status, 200, 'another stranger');
  // The owner asks from her own address: she gets a new code, and it signs her in.
  const owner = await person();
  const page = await owner.askForCode(email);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /We sent a sign-in code to xena@nowhere-corp.test/);
  const code = await codeOfMail(email, 5);
  const res = await owner.typeCode(email, code);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.ok(await owner.signedIn());
  assert.ok(await auditEvent(stack, { action: 'auth.code_requested', target: `email:${email}`, outcome: 'denied' }), 'the stranger’s refusal is audited');
});

test('past the cap for one mailbox, the owner is told to use the newest code she was sent, and it signs her in', async () => {
  const email = 'yara@nowhere-corp.test';
  const statuses: number[] = [];
  for (const n of [3, 3, 3, 1]) {
    const stranger = await person();
    for (let i = 0; i < n; i++) statuses.push((await stranger.askForCode(email)).status);
  }
  assert.deepEqual(statuses, Array(10).fill(200), 'ten codes from four strangers');
  const owner = await person();
  const refused = await owner.askForCode(email);
  assert.equal(refused.status, 429);
  assert.match(refused.text, /Sign in with the newest one in your mailbox/);
  const newest = await codeOfMail(email, 10);
  const res = await owner.typeCode(email, newest);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.ok(await owner.signedIn());
});

test(`a code that had ${PER_CLIENT * 10} wrong codes typed against it (more than one client may send in its ten minutes) is retired: the right code then brings a new one, which signs in`, async () => {
  const email = 'zoe@nowhere-corp.test';
  const owner = await person();
  assert.equal((await owner.askForCode(email)).status, 200);
  const first = await codeOfMail(email, 1);
  assert.deepEqual(await guesses(email, 2 * PER_CLIENT, 5), Array(PER_CLIENT * 10).fill(401));
  const retired = await owner.typeCode(email, first);
  assert.equal(retired.status, 401);
  assert.match(retired.text, /This code no longer works/);
  assert.match(retired.text, /name="code"/, 'the form again, for the new code');
  assert.equal(await owner.signedIn(), false);
  assert.ok(await auditEvent(stack, { action: 'auth.code_used', target: `email:${email}`, outcome: 'denied' }), 'the retirement is audited');
  const second = await codeOfMail(email, 2);
  assert.notEqual(second, first);
  assert.equal((await owner.typeCode(email, first)).status, 401, 'the retired code stays retired');
  const res = await owner.typeCode(email, second);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.ok(await owner.signedIn());
});

test('strangers typing her address into the e-mail form past the per-account limit leave the owner the code form, and her newest code signs her in', async () => {
  const email = 'uli@nowhere-corp.test';
  const statuses: number[] = [];
  for (let i = 0; i < PER_CLIENT + 3; i++) statuses.push((await (await person()).askForCode(email)).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200), 'ten codes, then the mailbox cap');
  assert.ok(statuses.slice(10).every((s) => s === 429), 'then refused: per mailbox, then per account');
  const owner = await person();
  const page = await owner.askForCode(email);
  assert.equal(page.status, 429);
  assert.match(page.text, /Sign in with the newest one in your mailbox/);
  assert.match(page.text, /name="code"/, 'the form to type it in, not a dead end');
  const newest = await codeOfMail(email, 10);
  assert.equal(mailsTo(email).length, 10, 'no code mailed past the limits');
  const res = await owner.typeCode(email, newest);
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.ok(await owner.signedIn());
});
