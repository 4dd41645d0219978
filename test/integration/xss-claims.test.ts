// Stored XSS through what an identity provider asserts (the display name) and through free text that
// travels between people: a partner's name and justification reach the sponsor's inbox, the admin's
// request, guest and audit pages; a sponsor's reason for denying reaches the partner. Everything is
// shown as text, under a CSP without inline script.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, type Page } from '../harness/browser.ts';
import { decide, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildIdentityProvider } from '../harness/factories.ts';
import { guestByEmail } from '../harness/stored.ts';
import { startDemoIssuer, type RunningIssuer } from '../../src/demo/idp.ts';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

const NAME = '<script>alert("name")</script><img src=x onerror=alert(1)>Harriet';
const JUSTIFICATION = '<svg onload=alert(2)></svg><a href="javascript:alert(3)">specs</a> for the gearbox';
const REASON = '<iframe src="https://evil.example"></iframe> not this quarter';
const CLIENT = { clientId: 'passerelle-hostile', clientSecret: 'hostile-secret-0123456789abcdef' };

let stack: Stack;
let hostile: RunningIssuer;
let requestId = 0;
const harriet = new Browser();
const ada = new Browser();

before(async () => {
  stack = await startStack();
  hostile = await startDemoIssuer({
    key: 'hostile',
    displayName: 'Hostile Corp',
    accounts: [{ sub: 'hostile-harriet', email: 'harriet@hostile.test', emailVerified: true, name: NAME, password: DEMO_PASSWORD }],
    clients: [{ ...CLIENT, redirectUris: [`${stack.appUrl}/auth/hostile/callback`] }],
  });
  await buildIdentityProvider(stack, { slug: 'hostile', name: 'Hostile Corp', issuer: hostile.issuer, client: CLIENT, emailDomains: ['hostile.test'] });
  requestId = (await submitAsPartner(stack, harriet, 'hostile', 'harriet@hostile.test', ['Partner Wiki'], JUSTIFICATION)).id;
  await waitUntilRouted(stack, requestId);
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await hostile?.close();
  await stack?.stop();
});

/** The hostile markup is on the page as text, and none of it as markup. */
function assertInert(page: Page, where: string): void {
  assert.equal(page.status, 200, `${where}: ${page.status}`);
  for (const raw of ['<script>alert("name")', '<img src=x', '<svg onload', 'href="javascript:', '<iframe']) {
    assert.ok(!page.text.includes(raw), `${where} renders ${raw} as markup`);
  }
  assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-inline/);
}

test("the IdP's display name and the justification are text in the admin's inbox, request and audit pages", async () => {
  const inbox = await ada.go(`${stack.appUrl}/inbox`);
  assertInert(inbox, 'inbox');
  const request = await ada.go(`${stack.appUrl}/inbox/${requestId}`);
  assertInert(request, 'request page');
  assert.match(request.text, /&lt;script&gt;alert\(&#34;name&#34;\)&lt;\/script&gt;|&lt;script&gt;alert\(&quot;name&quot;\)/);
  assert.match(request.text, /&lt;svg onload=alert\(2\)&gt;/);
  assertInert(await ada.go(`${stack.appUrl}/admin/audit`), 'audit log');
});

test("a sponsor's reason for denying is text on the partner's request page, and the guest list shows the name as text", async () => {
  const denied = await decide(stack, ada, requestId, 'deny', REASON);
  assert.equal(denied.status, 200, denied.text.slice(0, 200));
  const mine = await harriet.go(`${stack.appUrl}/requests/${requestId}`);
  assertInert(mine, "partner's request page");
  assert.match(mine.text, /&lt;iframe/);
  // A second request, approved, makes Harriet a guest: the admin's guest pages show her name.
  const second = (await submitAsPartner(stack, new Browser(), 'hostile', 'harriet@hostile.test', ['Partner Wiki'], 'A second, plain request for the wiki.')).id;
  await waitUntilRouted(stack, second);
  assert.equal((await decide(stack, ada, second, 'approve')).status, 200);
  const guest = await eventually('Harriet provisioned as a guest', () => guestByEmail(stack, 'harriet@hostile.test'));
  assertInert(await ada.go(`${stack.appUrl}/admin/guests`), 'guest list');
  assertInert(await ada.go(`${stack.appUrl}/admin/guests/${guest.id}`), 'guest page');
});
