// A sponsor with more open requests than fit on a page walks them newest first, 50 a page, and
// reaches every one exactly once; another sponsor's requests never show; a made-up cursor is a 400.
// A partner's own list of requests pages the same way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { seedRequests } from '../../bench/lib/data.ts';

let stack: Stack;
const sam = new Browser();
const sue = new Browser();
let samsIds: number[];
let paulasIds: number[];
const paula = new Browser();
const pete = new Browser();

before(async () => {
  stack = await startStack({ worker: false });
  samsIds = (await seedRequests(stack.db, { count: 120, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'] })).map((r) => r.id);
  // From Globex, which Sue sponsors: an inbox lists only what its owner still decides.
  await seedRequests(stack.db, { count: 5, approverEmail: 'sue.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'], domain: 'globex.test' });
  paulasIds = (
    await seedRequests(stack.db, { count: 75, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'], requester: { subject: 'acme-paula', email: 'paula@acme.test' } })
  ).map((r) => r.id);
  samsIds.push(...paulasIds);
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
});
after(async () => {
  await stack?.stop();
});

const rowIds = (html: string) => [...html.matchAll(/<td><a href="\/inbox\/(\d+)">/g)].map((m) => Number(m[1]));
const olderLink = (html: string) => /<a href="(\/inbox\?before=\d+)">Older requests<\/a>/.exec(html)?.[1];

test('195 open requests: four pages of newest first, each request once, with links both ways', async () => {
  const seen: number[] = [];
  let url: string | undefined = '/inbox';
  const sizes: number[] = [];
  while (url) {
    const page = await sam.go(`${stack.appUrl}${url}`);
    assert.equal(page.status, 200);
    const ids = rowIds(page.text);
    sizes.push(ids.length);
    seen.push(...ids);
    if (url !== '/inbox') assert.match(page.text, /<a href="\/inbox">Newest requests<\/a>/);
    else assert.doesNotMatch(page.text, /Newest requests/);
    url = olderLink(page.text);
    assert.ok(sizes.length <= 5, 'the pages end');
  }
  assert.deepEqual(sizes, [50, 50, 50, 45]);
  assert.deepEqual(seen, [...samsIds].sort((a, b) => b - a), 'newest first, none twice, none missing');
});

test("another sponsor's inbox shows only what is routed to them", async () => {
  const page = await sue.go(`${stack.appUrl}/inbox`);
  const ids = rowIds(page.text);
  assert.equal(ids.length, 5);
  assert.ok(ids.every((id) => !samsIds.includes(id)));
  assert.equal(olderLink(page.text), undefined);
});

test('a made-up page cursor is a 400 page that says what to do', async () => {
  for (const bad of ['abc', '-1', '0', '1e3', '99999999999']) {
    const page = await sam.go(`${stack.appUrl}/inbox?before=${encodeURIComponent(bad)}`);
    assert.equal(page.status, 400, bad);
    assert.match(page.text, /That page of the inbox does not exist/);
  }
});

const ownIds = (html: string) => [...html.matchAll(/<td><a href="\/requests\/(\d+)">/g)].map((m) => Number(m[1]));

test("a partner's 75 requests: two pages, newest first, each once; nobody else sees them", async () => {
  const first = await paula.go(`${stack.appUrl}/requests`);
  assert.equal(first.status, 200);
  assert.doesNotMatch(first.text, /Newest requests/);
  const older = /<a href="(\/requests\?before=\d+)">Older requests<\/a>/.exec(first.text)?.[1];
  assert.ok(older, 'a link to the older page');
  const second = await paula.go(`${stack.appUrl}${older}`);
  assert.equal(second.status, 200);
  assert.match(second.text, /<a href="\/requests">Newest requests<\/a>/);
  assert.doesNotMatch(second.text, /Older requests/);
  assert.deepEqual([...ownIds(first.text), ...ownIds(second.text)], [...paulasIds].sort((a, b) => b - a));

  const petes = await pete.go(`${stack.appUrl}/requests`);
  assert.deepEqual(ownIds(petes.text), []);
  assert.match(petes.text, /You have not asked for access yet/);

  const bad = await paula.go(`${stack.appUrl}/requests?before=abc`);
  assert.equal(bad.status, 400);
  assert.match(bad.text, /That page of your requests does not exist/);
});
