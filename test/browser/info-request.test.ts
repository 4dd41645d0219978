// The information-request loop in a real browser (issue 18, point 2): a sponsor asks the partner a
// question instead of deciding, the partner follows the mailed link to her request page and answers
// there (a first, empty try shows the error summary), the sponsor follows his mail, reads the answer
// and approves. Clicks and typing only; every page checked by axe; screenshots info-NN-*.png.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '../harness/stack.ts';
import { clearShots, heading, launchWatched, mainText, screenshot, signInAtIdp, type Watched } from '../harness/chromium.ts';

let stack: Stack;
let chrome: Watched;
let shotNumber = 0;

before(async () => {
  clearShots(/^info-\d{2}-.*\.png$/);
  stack = await startStack();
  chrome = await launchWatched((url) => !!stack && url.startsWith(stack.appUrl));
});

after(async () => {
  await chrome?.close();
  await stack?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  shotNumber += 1;
  await screenshot(page, `info-${String(shotNumber).padStart(2, '0')}-${name}`);
}


const linkIn = (text: string, path: RegExp) => new RegExp(`(https?://\\S+${path.source})`).exec(text)?.[1];

describe('in a browser: a sponsor asks, the partner answers on her page, the sponsor approves', () => {
  beforeEach(() => {
    chrome.problems.length = 0;
  });
  let partner: { context: BrowserContext; page: Page };
  let sponsor: { context: BrowserContext; page: Page };
  let requestId = 0;
  const question = 'Which project is this for, and who leads it at Acme?';
  const answer = 'The Atlas gearbox integration; Alice Martin leads it.';

  test('the partner asks for access', async () => {
    partner = await chrome.person();
    const { page } = partner;
    await page.goto(`${stack.appUrl}/`);
    await page.getByLabel('Work e-mail address').fill('paula@acme.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.acme!.issuer));
    await signInAtIdp(page, stack.appUrl, 'paula@acme.test');
    await heading(page, 'My requests');
    await page.getByRole('link', { name: 'Request access' }).click();
    await page.getByRole('checkbox', { name: /Partner Wiki/ }).check();
    await page.getByLabel('Why do you need this access?').fill('We co-develop the Atlas gearbox and need the shared specifications.');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await heading(page, /^Request #\d+$/);
    requestId = Number(/#(\d+)/.exec(await page.getByRole('heading', { level: 1 }).innerText())![1]);
    assert.ok(requestId > 0);
    chrome.assertNoProblems('partner asking');
  });

  test('the sponsor asks a question instead of deciding; the inbox says the request waits for her answer', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject.includes(`#${requestId}`));
    sponsor = await chrome.person();
    const { page } = sponsor;
    await page.goto(linkIn(mail.text, /\/inbox\/\d+/)!);
    await page.getByRole('link', { name: 'Sign in with Passerelle Corp' }).click();
    await page.waitForURL((u) => u.toString().startsWith(stack.issuers.ours!.issuer));
    await signInAtIdp(page, stack.appUrl, 'sam.sponsor@passerelle.test');
    await heading(page, `Request #${requestId} from Paula Partner`);

    await page.getByRole('heading', { level: 2, name: 'Ask the requester for more information' }).waitFor();
    await page.getByLabel('Your question').fill(question);
    await shot(page, 'sponsor-asks');
    await page.getByRole('button', { name: 'Ask the requester' }).click();

    await heading(page, 'Requests to decide');
    assert.match(await page.getByRole('status').innerText(), new RegExp(`Your question on request #${requestId} was sent to the requester`));
    const waiting = page.getByRole('table', { name: 'Waiting for the requester’s answer' });
    const row = waiting.getByRole('row', { name: new RegExp(`Request #${requestId}\\b`) });
    assert.match(await row.innerText(), /Information requested/);
    await shot(page, 'sponsor-inbox-waiting');

    await row.getByRole('link', { name: `Request #${requestId}` }).click();
    await heading(page, `Request #${requestId} from Paula Partner`);
    const text = await mainText(page);
    assert.match(text, /Waiting for the requester’s answer/);
    assert.ok(text.includes(question));
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'nothing to decide while she is asked');
    chrome.assertNoProblems('sponsor asking');
  });

  test('the partner follows the mail to her request page and answers there', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && m.subject === `A question about your access request #${requestId}`);
    assert.ok(mail.text.includes(question));
    const { page } = partner;
    await page.goto(linkIn(mail.text, /\/requests\/\d+#answer/)!);
    await heading(page, `Request #${requestId}`);
    const text = await mainText(page);
    assert.match(text, /Information requested/);
    assert.match(text, /Question from Sam Sponsor/);
    assert.ok(text.includes(question));
    await shot(page, 'partner-question');

    // Sent empty, the form comes back with an error summary leading to the field.
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Write your answer\./);
    await shot(page, 'partner-answer-empty');
    // That page's 400 is the answer the form expects, not a fault of the page.
    const expected = (p: { kind: string; url: string; text: string }) => p.kind === 'console' && p.url.endsWith(`/requests/${requestId}/answer`) && /status of 400/.test(p.text);
    assert.equal(chrome.problems.filter(expected).length, 1);
    chrome.problems.splice(0, chrome.problems.length, ...chrome.problems.filter((p) => !expected(p)));

    await page.getByLabel('Your answer').fill(answer);
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await heading(page, `Request #${requestId}`);
    assert.match(await page.getByRole('status').innerText(), /Your answer was sent/);
    const after = await mainText(page);
    assert.match(after, /Waiting for a sponsor/);
    assert.ok(after.includes(answer));
    assert.match(after, /Information provided/);
    assert.equal(await page.getByRole('button', { name: 'Send my answer' }).count(), 0);
    await shot(page, 'partner-answered');
    chrome.assertNoProblems('partner answering');
  });

  test('the sponsor follows the mail, reads the answer and approves', async () => {
    const mail = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject === `Paula Partner answered your question on request #${requestId}`);
    assert.ok(mail.text.includes(answer));
    const { page } = sponsor;
    await page.goto(linkIn(mail.text, /\/inbox\/\d+/)!);
    await heading(page, `Request #${requestId} from Paula Partner`);
    const conversation = await page.getByRole('region', { name: 'Questions and answers' }).innerText();
    assert.match(conversation, /Question from Sam Sponsor[\s\S]*Answer from Paula Partner/);
    assert.ok(conversation.includes(answer));
    await shot(page, 'sponsor-reads-answer');
    await page.getByRole('button', { name: 'Approve' }).click();
    await heading(page, 'Requests to decide');
    assert.match(await page.getByRole('status').innerText(), new RegExp(`Request #${requestId} approved`));
    chrome.assertNoProblems('sponsor approving');
  });
});
