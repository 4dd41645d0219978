// Asking the requester for more information (issue 18, point 2): an approver asks instead of deciding,
// the request waits on the partner (information requested) and cannot be decided meanwhile; she is
// mailed, answers on her request page, and the request goes back to the same approvers, who are
// mailed; its time-outs do not count the time she took (clock_from moves by the pause, the clock moved
// with setClockOffsetMs); several rounds; the conversation stays with the request for everyone who may
// read it, after the decision too, and for nobody else; bad answers are refused clearly, nothing lost.
// Real worker, Redis and SMTP catcher.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildApiClient } from '../harness/factories.ts';
import { organizationIdOf } from '../harness/world.ts';
import { approversOf, auditEvents, organizationNamed, requestRow, userByEmail } from '../harness/stored.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { setUserLocale } from '../../src/db/users.ts';
import { markInfoRequested } from '../../src/db/requestQuestions.ts';
import { setClockOffsetMs } from '../../src/domain/clock.ts';

let stack: Stack;
const DAY = 86_400_000;
const sam = new Browser();
const sue = new Browser();
const ada = new Browser();
const paula = new Browser();

before(async () => {
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
  // Acme's requests go to two sponsors, Sam and Sue; Sue reads French.
  const sueId = Number((await userByEmail(stack, 'sue.sponsor@passerelle.test')).id);
  await stack.db('organization_sponsors').insert({ organization_id: await organizationIdOf(stack, 'Acme Industries'), user_id: sueId });
  await inTransaction(stack.db, (trx) => setUserLocale(trx, sueId, 'fr'));
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
  await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  setClockOffsetMs(0);
  await stack?.stop();
});

const conversationRows = (id: number) => stack.db('access_request_questions').where({ request_id: id }).orderBy('id');
const htmlOf = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

describe('asking the requester for more information', () => {
  let id: number;

  test('a question puts the request on hold: the partner is mailed, the inbox says it waits for her, and it cannot be decided', async () => {
    ({ id } = await submitAsPartner(stack, paula, 'acme', 'paula@acme.test', ['Partner Wiki']));
    await waitUntilRouted(stack, id);
    const routed = (await approversOf(stack, id)).map((a) => Number(a.user_id)).sort();
    assert.equal(routed.length, 2, 'routed to Sam and Sue');

    const page = await sam.go(`${stack.appUrl}/inbox/${id}`);
    assert.ok(page.text.includes(`action="/inbox/${id}/question"`), 'the ask form is offered next to the decision');
    const question = 'Which project is this for, and who at Acme leads it?';
    const asked = await sam.submit(page, `/inbox/${id}/question`, { question });
    assert.equal(asked.status, 200);
    assert.match(asked.text, new RegExp(`Your question on request #${id} was sent to the requester`));
    assert.match(asked.text, /Waiting for the requester’s answer/, 'the inbox lists it as waiting');
    assert.match(asked.text, /Information requested/);

    const row = await requestRow(stack, id);
    assert.equal(row.status, 'info_requested');
    assert.ok(row.info_requested_at);
    const [event] = await auditEvents(stack, { action: 'request.info_requested', target: `request:${id}` });
    assert.equal(JSON.parse(event.details).length, question.length);
    assert.ok(!event.details.includes('Acme leads'), 'the words are kept with the request, not in the log');
    assert.deepEqual((await conversationRows(id)).map((q) => [q.role, q.body]), [['asker', question]]);

    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /question/i.test(m.subject));
    assert.equal(mail.subject, `A question about your access request #${id}`);
    assert.match(mail.text, /Sam Sponsor needs more information/);
    assert.ok(mail.text.includes(question), mail.text);
    assert.ok(mail.text.includes(`${stack.config.publicUrl}/requests/${id}`), 'the button leads to her request page');
    assert.ok(mail.html?.includes(htmlOf(question)), 'the HTML part says it too');

    // The decision is gone from the page; a decision posted anyway is a 409 and changes nothing.
    const held = await sam.go(`${stack.appUrl}/inbox/${id}`);
    assert.ok(!held.text.includes(`action="/inbox/${id}/decision"`));
    assert.match(held.text, /Waiting for the requester’s answer/);
    for (const decision of ['approve', 'deny']) {
      const refused = await sam.submit(held, `/inbox/${id}/decision`, { decision, reason: 'Not now.' });
      assert.equal(refused.status, 409, refused.text.slice(0, 300));
      assert.match(refused.text, /waits for the requester’s answer to a question/);
    }
    const again = await sam.submit(held, `/inbox/${id}/question`, { question: 'And another thing?' });
    assert.equal(again.status, 409);
    assert.match(again.text, /A question is already waiting for the requester’s answer/);
    // Nor through the API.
    const { token } = await buildApiClient(stack, { scopes: ['AccessRequest.ReadWrite.All'] });
    const api = supertest(stack.appUrl);
    const viaApi = await api.post(`/v1.0/accessRequests/${id}/approve`).set('Authorization', `Bearer ${token}`).send({});
    assert.equal(viaApi.status, 409);
    assert.equal(viaApi.body.error.code, 'Request_Conflict');
    assert.match(viaApi.body.error.message, /waits for its requester's answer to a question/);
    const listed = await api.get('/v1.0/accessRequests').query({ $filter: "status eq 'info_requested'" }).set('Authorization', `Bearer ${token}`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.value.map((r: { id: string; status: string }) => [r.id, r.status]), [[String(id), 'info_requested']]);
    const still = await requestRow(stack, id);
    assert.equal(still.status, 'info_requested');
    assert.equal(still.decided_at, null);
    assert.equal((await auditEvents(stack, { target: `request:${id}`, action: 'request.approved' })).length, 0);
    assert.equal((await conversationRows(id)).length, 1);
  });

  test('a bad answer is refused clearly and loses nothing; another partner can neither read nor answer', async () => {
    const list = await paula.go(`${stack.appUrl}/requests`);
    assert.ok(list.text.includes(`<a href="/requests/${id}#answer">Answer the question</a>`), 'her list leads to the answer');
    const page = await paula.go(`${stack.appUrl}/requests/${id}`);
    assert.match(page.text, /Information requested/);
    assert.match(page.text, /Question from Sam Sponsor/);
    assert.ok(page.text.includes(`action="/requests/${id}/answer"`), 'the answer form is on her page');

    const empty = await paula.submit(page, `/requests/${id}/answer`, { answer: '   ' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Write your answer\./);
    const long = 'x'.repeat(1990) + ' the end of a long answer';
    const tooLong = await paula.submit(page, `/requests/${id}/answer`, { answer: long });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.text, /longer than 2,000 characters/);
    assert.ok(tooLong.text.includes(long), 'her words come back to be shortened');
    assert.equal((await requestRow(stack, id)).status, 'info_requested');
    assert.equal((await conversationRows(id)).length, 1);

    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    assert.equal((await pete.go(`${stack.appUrl}/requests/${id}`)).status, 404);
    const own = await pete.go(`${stack.appUrl}/requests/new`);
    const foreign = await pete.submit(own, `/requests/${id}/answer`, { answer: 'It is for me, Pete.' });
    assert.equal(foreign.status, 404);
    assert.equal((await auditEvents(stack, { action: 'request.answer', target: `request:${id}`, outcome: 'denied' })).length, 1);
    const omar = new Browser();
    await omar.signIn(stack.appUrl, 'ours', 'omar.member@passerelle.test');
    assert.equal((await omar.go(`${stack.appUrl}/inbox/${id}`)).status, 403);
    assert.equal((await conversationRows(id)).length, 1);
    assert.equal((await requestRow(stack, id)).status, 'info_requested');
  });

  test('her answer, two days later, returns the request to the same approvers, mailed, its time-outs moved by the pause', async () => {
    const before = await requestRow(stack, id);
    const approversBefore = (await approversOf(stack, id)).map((a) => Number(a.user_id)).sort();
    setClockOffsetMs(2 * DAY);
    try {
      const page = await paula.go(`${stack.appUrl}/requests/${id}`);
      const answer = 'The Atlas gearbox integration; Alice Martin leads it at Acme.';
      const done = await paula.submit(page, `/requests/${id}/answer`, { answer });
      assert.equal(done.status, 200);
      assert.match(done.text, /Your answer was sent/);
      assert.ok(!done.text.includes(`action="/requests/${id}/answer"`), 'nothing more to answer');
      assert.match(done.text, /Your answer/);
      assert.ok(done.text.includes(answer));

      const row = await requestRow(stack, id);
      assert.equal(row.status, 'pending');
      assert.equal(row.info_requested_at, null);
      const moved = Date.parse(row.clock_from) - Date.parse(before.clock_from);
      const pause = 2 * DAY + (Date.now() - Date.parse(before.info_requested_at));
      assert.ok(moved >= 2 * DAY && moved <= pause + 1000, `clock_from moved by ${moved} ms, the pause was about ${pause} ms`);
      assert.deepEqual((await approversOf(stack, id)).map((a) => Number(a.user_id)).sort(), approversBefore, 'the same approvers');
      const [event] = await auditEvents(stack, { action: 'request.info_provided', target: `request:${id}` });
      assert.equal(JSON.parse(event.details).length, answer.length);

      const toSam = await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && /answered/.test(m.subject));
      assert.equal(toSam.subject, `Paula Partner answered your question on request #${id}`);
      assert.ok(toSam.text.includes(answer));
      assert.ok(toSam.text.includes(`${stack.config.publicUrl}/inbox/${id}`));
      const toSue = await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && /a répondu/.test(m.subject));
      assert.equal(toSue.subject, `Paula Partner a répondu à votre question sur la demande n° ${id}`);
      assert.ok(toSue.text.includes(`${stack.config.publicUrl}/inbox/${id}`));

      const inbox = await sam.go(`${stack.appUrl}/inbox`);
      assert.ok(inbox.text.includes(`href="/inbox/${id}"`));
      assert.doesNotMatch(inbox.text, /Waiting for the requester’s answer/, 'no longer waiting on her');
    } finally {
      setClockOffsetMs(0);
    }
  });

  test('another round, then a decision: the whole conversation stays for the partner, the approvers and the admin', async () => {
    // Sue asks a second question (in French), Paula answers, Sam approves.
    const suePage = await sue.go(`${stack.appUrl}/inbox/${id}`);
    assert.match(suePage.text, /Réponse de Paula Partner/);
    const second = 'Jusqu’à quand le projet dure-t-il ?';
    const asked = await sue.submit(suePage, `/inbox/${id}/question`, { question: second });
    assert.equal(asked.status, 200);
    const mail = await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && m.text.includes(second));
    assert.ok(mail.text.includes(`/requests/${id}`));
    const page = await paula.go(`${stack.appUrl}/requests/${id}`);
    // Sent twice at once (a double click, two tabs): the first answer wins, the second is told.
    const both = await Promise.all([
      paula.submit(page, `/requests/${id}/answer`, { answer: 'Until the end of June.' }),
      paula.submit(page, `/requests/${id}/answer`, { answer: 'Until the end of June.' }),
    ]);
    assert.deepEqual(both.map((p) => p.status).sort(), [200, 409]);
    assert.match(both.find((p) => p.status === 409)!.text, /not waiting for your answer/);
    assert.equal((await auditEvents(stack, { action: 'request.info_provided', target: `request:${id}` })).length, 2, 'one per round');
    assert.equal((await requestRow(stack, id)).status, 'pending');
    const decision = await sam.go(`${stack.appUrl}/inbox/${id}`);
    const approved = await sam.submit(decision, `/inbox/${id}/decision`, { decision: 'approve', reason: '' });
    assert.equal(approved.status, 200, approved.text.slice(0, 300));
    await eventually('provisioned', async () => (await requestRow(stack, id)).status === 'provisioned');

    const words = ['Which project is this for, and who at Acme leads it?', 'The Atlas gearbox integration; Alice Martin leads it at Acme.', second, 'Until the end of June.'];
    assert.deepEqual((await conversationRows(id)).map((q) => q.role), ['asker', 'answer', 'asker', 'answer']);
    const inOrder = (text: string) => words.map((w) => text.indexOf(htmlOf(w)));
    for (const [who, browser, path] of [['Paula', paula, `/requests/${id}`], ['Sam', sam, `/inbox/${id}`], ['Ada', ada, `/inbox/${id}`]] as const) {
      const read = await browser.go(`${stack.appUrl}${path}`);
      assert.equal(read.status, 200, who);
      const at = inOrder(read.text);
      assert.ok(at.every((i) => i > 0) && at.every((i, n) => n === 0 || i > at[n - 1]!), `${who} reads the four messages in order: ${at}`);
    }
    const history = (await paula.go(`${stack.appUrl}/requests/${id}`)).text;
    assert.match(history, /More information requested/);
    assert.match(history, /Information provided/);
    assert.match(history, /Question from Sue Second/);

    // The admin finds both mails among the editable ones, with a preview.
    for (const [name, sample] of [['info_requested', 'Which project is this for?'], ['info_provided', 'The Atlas gearbox integration.']]) {
      const preview = await ada.go(`${stack.appUrl}/admin/mail-templates/${name}/fr/preview`);
      assert.equal(preview.status, 200, name);
      assert.ok(preview.text.includes(sample), name);
    }

    // The audit log tells each step in words, without the words exchanged.
    const log = await ada.go(`${stack.appUrl}/admin/audit?target=${encodeURIComponent(`request:${id}`)}`);
    assert.equal(log.status, 200);
    assert.match(log.text.replace(/<[^>]+>/g, ''), new RegExp(`Sam Sponsor asked Paula Partner for more information on request #${id}`));
    assert.match(log.text.replace(/<[^>]+>/g, ''), new RegExp(`Paula Partner answered the question on request #${id}`));
    assert.ok(!log.text.includes('Alice Martin'), 'no answer in the log');
  });

  test('sponsors changed while she is asked: the request follows them, and her answer goes to those who decide it now', async () => {
    const pete = new Browser();
    const { id: other } = await submitAsPartner(stack, pete, 'acme', 'pete@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, other);
    await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && m.subject.includes(`n° ${other}`));
    const sueId = Number((await userByEmail(stack, 'sue.sponsor@passerelle.test')).id);
    const samId = Number((await userByEmail(stack, 'sam.sponsor@passerelle.test')).id);
    const page = await sam.go(`${stack.appUrl}/inbox/${other}`);
    await sam.submit(page, `/inbox/${other}/question`, { question: 'Which team are you in?' });
    assert.equal((await requestRow(stack, other)).status, 'info_requested');
    assert.match((await sue.go(`${stack.appUrl}/inbox`)).text, new RegExp(`href="/inbox/${other}"`), 'Sue sees it waiting');

    // The admin leaves Sam alone as Acme's sponsor.
    const org = (await organizationNamed(stack, 'Acme Industries'))!;
    const form = await ada.go(`${stack.appUrl}/admin/organizations/${org.id}`);
    const values = { name: 'Acme Industries', domains: org.domains.join('\n'), identity_provider_id: String(org.identity_provider_id ?? ''), policy: org.policy as string };
    assert.equal((await ada.submit(form, `/admin/organizations/${org.id}`, { ...values, sponsors: [String(samId)] })).status, 200);
    assert.deepEqual((await approversOf(stack, other)).map((a) => Number(a.user_id)), [samId], 'taken from Sue while on hold');
    assert.doesNotMatch((await sue.go(`${stack.appUrl}/inbox`)).text, new RegExp(`href="/inbox/${other}"`));

    stack.mail.clear();
    const petePage = await pete.go(`${stack.appUrl}/requests/${other}`);
    await pete.submit(petePage, `/requests/${other}/answer`, { answer: 'The gearbox team.' });
    await stack.mail.waitFor((m) => m.to.includes('sam.sponsor@passerelle.test') && m.subject === `Pete Peer answered your question on request #${other}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(stack.mail.messages().filter((m) => m.to.includes('sue.sponsor@passerelle.test')).map((m) => m.subject), [], 'Sue, no longer its sponsor, is not mailed');
    assert.ok(sueId > 0);
  });

  test('a sponsor added while she is asked is not mailed "to decide" then: her answer tells them; her page names the change in words', async () => {
    const rita = new Browser();
    const { id: third } = await submitAsPartner(stack, rita, 'acme', 'paula@acme.test', ['Partner Wiki']);
    await waitUntilRouted(stack, third);
    const sueId = Number((await userByEmail(stack, 'sue.sponsor@passerelle.test')).id);
    const samId = Number((await userByEmail(stack, 'sam.sponsor@passerelle.test')).id);
    // A question authorized for another stage than the one the request waits on holds nothing.
    assert.equal(await inTransaction(stack.db, (trx) => markInfoRequested(trx, third, 2, new Date().toISOString())), false);
    assert.equal((await requestRow(stack, third)).status, 'pending');
    await sam.submit(await sam.go(`${stack.appUrl}/inbox/${third}`), `/inbox/${third}/question`, { question: 'Which site are you at?' });
    assert.equal((await requestRow(stack, third)).status, 'info_requested');

    // The admin makes Sue Acme's sponsor again: she is routed, but there is nothing to decide yet.
    const org = (await organizationNamed(stack, 'Acme Industries'))!;
    const form = await ada.go(`${stack.appUrl}/admin/organizations/${org.id}`);
    const values = { name: 'Acme Industries', domains: org.domains.join('\n'), identity_provider_id: String(org.identity_provider_id ?? ''), policy: org.policy as string };
    assert.equal((await ada.submit(form, `/admin/organizations/${org.id}`, { ...values, sponsors: [String(samId), String(sueId)] })).status, 200);
    assert.ok((await approversOf(stack, third)).some((a) => Number(a.user_id) === sueId), 'routed to Sue while on hold');
    const ritaPage = await rita.go(`${stack.appUrl}/requests/${third}`);
    assert.match(ritaPage.text, /Sent again, to the people who decide it now/);
    assert.doesNotMatch(ritaPage.text, /history\./, 'no raw message key');

    await rita.submit(ritaPage, `/requests/${third}/answer`, { answer: 'Lyon.' });
    await stack.mail.waitFor((m) => m.to.includes('sue.sponsor@passerelle.test') && m.subject.includes(String(third)) && /a répondu/.test(m.subject));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const toSue = stack.mail.messages().filter((m) => m.to.includes('sue.sponsor@passerelle.test') && m.subject.includes(String(third)));
    assert.equal(toSue.length, 1, `only the answer: ${toSue.map((m) => m.subject).join(' | ')}`);
  });
});
