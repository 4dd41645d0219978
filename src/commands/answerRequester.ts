// The requester answers an approver's question on her request page (issue 18, point 2): the answer is
// kept with the request, the request goes back to pending and to the same approvers (those routed
// for the stage it waits on), who are mailed; its time-outs resume where they paused, as if the time
// she took to answer had not passed. All of it is one transaction, and the transition conditional:
// an answer that races the expiry sweep (or a second tab's answer) changes nothing and says so.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findRequest } from '../db/requests.ts';
import { insertQuestion, QUESTION_MAX, resumeAfterAnswer } from '../db/requestQuestions.ts';
import { approversAtStage } from '../db/approvers.ts';
import { nowIso } from '../domain/clock.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import { queueSystemMail } from '../mail/send.ts';
import { infoProvidedMail } from '../mail/questionMails.ts';
import { recordRefusal } from './recordRefusal.ts';
import { stillDeciding } from './stillDeciding.ts';

/** `text` is the answer as the form gave it, or null when it was not a string at all. */
export async function answerRequester(deps: Deps, ctx: AuditContext, p: Principal, requestId: number, text: string | null): Promise<void> {
  const { db, config } = deps;
  const request = await findRequest(db, requestId);
  if (!request) throw notFound();
  if (!can(p, 'request:read', { request })) {
    // Someone else's request answers as a missing one would, as its page does.
    await recordRefusal(db, ctx, 'request.answer', `request:${requestId}`, 'not the requester');
    throw notFound();
  }
  const answer = (text ?? '').trim();
  if (!answer) throw invalid('errors.invalidForm', { answer: 'questions.errors.answerEmpty' });
  if (answer.length > QUESTION_MAX) throw invalid('errors.invalidForm', { answer: 'questions.errors.tooLong' });
  if (request.status !== 'info_requested' || !request.info_requested_at) throw conflict('questions.errors.notAsked');
  const hold = { id: requestId, info_requested_at: request.info_requested_at, clock_from: request.clock_from ?? request.created_at };
  await inTransaction(db, async (trx) => {
    const at = nowIso();
    if (!(await resumeAfterAnswer(trx, hold, at))) throw conflict('questions.errors.notAsked');
    const id = await insertQuestion(trx, { requestId, role: 'answer', authorUserId: null, body: answer, at });
    await appendAudit(trx, ctx, { action: 'request.info_provided', target: `request:${requestId}`, details: { answer: id, length: answer.length } });
    for (const approver of await stillDeciding(trx, request, await approversAtStage(trx, requestId, request.stage ?? 1))) {
      await queueSystemMail(trx, infoProvidedMail(config, request, { id, body: answer }, approver));
    }
  });
}
