// An approver asks the requester a question instead of deciding (issue 18, point 2). The same people
// who may decide a request may ask (a routed sponsor or owner the rule still names, or an admin; never
// the requester herself); the request then waits on her (info_requested) and cannot be decided until
// she answers. The question, its audit event and the mail to her are one transaction.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findRequest } from '../db/requests.ts';
import { isApproverOf } from '../db/approvers.ts';
import { itemsOfRequest } from '../db/catalog.ts';
import { insertQuestion, markInfoRequested, QUESTION_MAX } from '../db/requestQuestions.ts';
import { findUserById } from '../db/users.ts';
import { nowIso } from '../domain/clock.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import { queueSystemMail } from '../mail/send.ts';
import { infoRequestedMail } from '../mail/questionMails.ts';
import { recordRefusal } from './recordRefusal.ts';
import { stillApproverOf } from './routeToApprovers.ts';

/**
 * `text` is the question as the form gave it, or null when it was not a string at all. Authorization
 * comes first, so that someone who may not ask learns nothing of the request from a bad form.
 */
export async function askRequester(deps: Deps, ctx: AuditContext, p: Principal, requestId: number, text: string | null): Promise<void> {
  const { db, config } = deps;
  const request = await findRequest(db, requestId);
  if (!request || !p.userId) throw notFound();
  const isApprover = (await stillApproverOf(db, p.userId, [request])).has(requestId);
  if (!can(p, 'request:decide', { request, isApprover })) {
    const own = request.requester_email.toLowerCase() === p.email.toLowerCase();
    const stale = !own && (await isApproverOf(db, requestId, p.userId));
    await recordRefusal(db, ctx, 'request.ask', `request:${requestId}`, own ? 'self-approval' : stale ? 'no longer an approver of this request' : 'not routed to this sponsor');
    throw forbidden(own ? 'errors.selfApproval' : stale ? 'inbox.errors.noLongerApprover' : 'errors.notYourRequest');
  }
  const question = (text ?? '').trim();
  if (!question) throw invalid('errors.invalidForm', { question: 'questions.errors.questionEmpty' });
  if (question.length > QUESTION_MAX) throw invalid('errors.invalidForm', { question: 'questions.errors.tooLong' });
  if (request.status !== 'pending') throw conflict(request.status === 'info_requested' ? 'questions.errors.alreadyAsked' : 'errors.alreadyDecided');
  const asker = await findUserById(db, p.userId);
  const items = await itemsOfRequest(db, requestId);
  await inTransaction(db, async (trx) => {
    const at = nowIso();
    // Conditional, like a decision: of an approval and a question racing, the first wins.
    if (!(await markInfoRequested(trx, requestId, request.stage ?? 1, at))) throw conflict('questions.errors.notPending');
    const id = await insertQuestion(trx, { requestId, role: 'asker', authorUserId: p.userId, body: question, at });
    // The words live with the request; the log says that a question was asked, and how long it was.
    await appendAudit(trx, ctx, { action: 'request.info_requested', target: `request:${requestId}`, details: { question: id, length: question.length } });
    await queueSystemMail(trx, infoRequestedMail(config, request, items, { id, body: question, askedBy: asker?.display_name ?? p.name }));
  });
}
