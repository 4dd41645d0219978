// A request's conversation (issue 18, point 2): an approver's questions and the requester's answers,
// and the two transitions they cause (pending → info_requested → pending). All of it is SQL on
// access_request_questions and access_requests; the commands in askRequester.ts and answerRequester.ts
// say when each runs.
import type { Db, Tx } from './knex.ts';
import { inboxColumns, type InboxRow } from './requests.ts';

/** The longest question or answer kept: a few paragraphs, not a document. */
export const QUESTION_MAX = 2000;

export type QuestionRole = 'asker' | 'answer';

export interface QuestionRow {
  id: number;
  request_id: number;
  role: QuestionRole;
  author_user_id: number | null;
  /** The approver who asked, as the request pages name them; null for an answer (the requester). */
  author_name: string | null;
  body: string;
  at: string;
}

export async function insertQuestion(
  trx: Tx,
  q: { requestId: number; role: QuestionRole; authorUserId: number | null; body: string; at: string },
): Promise<number> {
  const [row] = await trx('access_request_questions')
    .insert({ request_id: q.requestId, role: q.role, author_user_id: q.authorUserId, body: q.body, at: q.at })
    .returning('id');
  return Number((row as { id: number }).id);
}

/** The whole conversation of a request, oldest first (it stays after the request is decided or expired). */
export async function conversationOf(db: Db | Tx, requestId: number): Promise<QuestionRow[]> {
  const rows = await db('access_request_questions')
    .leftJoin('users', 'users.id', 'access_request_questions.author_user_id')
    .where('access_request_questions.request_id', requestId)
    .orderBy('access_request_questions.id')
    .select('access_request_questions.*', 'users.display_name as author_name');
  return rows.map((r) => ({ ...r, id: Number(r.id), request_id: Number(r.request_id), author_user_id: r.author_user_id === null ? null : Number(r.author_user_id) }));
}

/**
 * Puts a pending request on hold for the requester's answer. Conditional, like a decision: an approver
 * asking while another decides (or asks) gets nothing, and the caller answers 409.
 */
export async function markInfoRequested(trx: Tx, requestId: number, stage: number, at: string): Promise<boolean> {
  const count = await trx('access_requests')
    // At the stage the asker was authorized for: a request that moved on to stage 2 meanwhile is not theirs to hold.
    .where({ id: requestId, status: 'pending', stage })
    .update({ status: 'info_requested', info_requested_at: at, updated_at: at });
  return Number(count) === 1;
}

/**
 * Brings a request waiting on its requester back to its approvers, its time-outs moved forward by the
 * time she took to answer (they do not run while she is being asked). The update matches only the
 * hold it computed the pause from (same status, same info_requested_at): an expiry by the sweep or a
 * second answer in between makes it match nothing.
 */
export async function resumeAfterAnswer(
  trx: Tx,
  request: { id: number; info_requested_at: string; clock_from: string },
  at: string,
): Promise<boolean> {
  const paused = Math.max(0, Date.parse(at) - Date.parse(request.info_requested_at));
  const clockFrom = new Date(Date.parse(request.clock_from) + paused).toISOString();
  const count = await trx('access_requests')
    .where({ id: request.id, status: 'info_requested', info_requested_at: request.info_requested_at })
    .update({ status: 'pending', clock_from: clockFrom, info_requested_at: null, updated_at: at });
  return Number(count) === 1;
}


/** A request waiting on its requester's answer, as the approver's inbox lists it. */
export interface WaitingRow extends InboxRow {
  info_requested_at: string;
}

/**
 * The requests routed to this approver (for the stage they wait on) that wait for their requester's
 * answer, newest first: the inbox shows them apart, as nothing to decide yet.
 */
export async function listWaitingOnRequester(db: Db | Tx, userId: number, limit = 50): Promise<WaitingRow[]> {
  return inboxColumns(db)
    .join('access_request_approvers', 'access_requests.id', 'access_request_approvers.request_id')
    .where('access_request_approvers.user_id', userId)
    .whereRaw('access_request_approvers.stage = access_requests.stage')
    .where('access_requests.status', 'info_requested')
    .orderBy('access_requests.id', 'desc')
    .limit(limit)
    .select('access_requests.info_requested_at');
}
