import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { decidedItemsOf, findRequest, listDecidedForApprover, listPendingForApprover } from '../../db/requests.ts';
import { deciderChoices } from '../forms/requestChoices.ts';
import { earliestAccessDay, latestGrantableDay } from '../../domain/accessDates.ts';
import { decideRequest, gaveFirstApproval } from '../../commands/decideRequest.ts';
import { askRequester } from '../../commands/askRequester.ts';
import { conversationOf, listWaitingOnRequester, QUESTION_MAX } from '../../db/requestQuestions.ts';
import { conflict } from '../../domain/errors.ts';
import { namedByRuleNow, reviewsRequest, stillApproverOf } from '../../commands/routeToApprovers.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { forbidden, invalid, notFound } from '../../domain/errors.ts';
import { can } from '../../domain/policies.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { parseId, render } from '../render.ts';
import { stageView } from '../stages.ts';
import { eventsForTarget } from '../../db/audit.ts';

// The question's words (not empty, not too long) are checked by the command, after authorization:
// here only that it is text, so that words too long come back to be shortened, not lost.
const questionSchema = z.object({ question: z.string() });

const decisionSchema = z.object({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(1000).default(''),
});

export function sponsorRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  const inbox = requireAbility(db, 'inbox:read');

  r.get('/inbox', inbox, async (req, res) => {
    const p = principalOf(req)!;
    const decided = parseId(req.query.decided);
    const before = req.query.before === undefined ? undefined : parseId(req.query.before);
    if (before === null) throw invalid('inbox.errors.badPage');
    const page = await listPendingForApprover(db, p.userId!, { before });
    // Only what this member still decides: a request routed to them (every row here was) before they
    // stopped being a sponsor or an owner is not theirs to read any more.
    const theirs = await namedByRuleNow(db, p.userId!, page.rows);
    // Requests put on hold by a question: nothing to decide until the requester answers.
    const onHold = before ? [] : await listWaitingOnRequester(db, p.userId!);
    const stillTheirs = await namedByRuleNow(db, p.userId!, onHold);
    const waiting = onHold.filter((r) => stillTheirs.has(r.id));
    render(req, res, 'sponsor/inbox', {
      title: 'inbox.title',
      pending: page.rows.filter((r) => theirs.has(r.id)),
      nextBefore: page.next,
      olderPage: Boolean(before),
      // Recent decisions belong with the newest requests, not with every older page.
      recent: before ? [] : await listDecidedForApprover(db, p.userId!),
      notice: decided
        ? { key: req.query.d === 'deny' ? 'inbox.denied' : req.query.d === 'ask' ? 'questions.ask.sent' : 'inbox.approved', params: { id: decided } }
        : null,
      waiting,
    });
  });

  const showRequest = async (req: Request, res: Response, id: number | null, extra = {}, status = 200) => {
    const p = principalOf(req)!;
    const request = id ? await findRequest(db, id) : undefined;
    if (!request) throw notFound();
    const isApprover = (await stillApproverOf(db, p.userId!, [request])).has(request.id);
    // A stage-1 approver still reads the request they sent on to stage 2 (not deciding it).
    if (!can(p, 'request:review', { request, isApprover: isApprover || (await reviewsRequest(db, p.userId!, request)) })) {
      await recordRefusal(db, auditContext(req), 'request.view', `request:${request.id}`, 'not routed to this sponsor');
      throw forbidden('errors.notYourRequest');
    }
    const items = await decidedItemsOf(db, request.id);
    // Two-stage approval: the stage it waits on, the items this stage decides, the decisions so far.
    const stages = await stageView(db, request, items);
    render(req, res, 'sponsor/request', {
      title: 'inbox.detailTitle',
      titleParams: { id: request.id, name: request.requester_name },
      request,
      items,
      // Whoever gave stage 1's approval (an admin too) is told why the second is not theirs.
      sameDecider: gaveFirstApproval(request, { userId: p.userId!, clientId: null }),
      canDecide: request.status === 'pending' && can(p, 'request:decide', { request, isApprover }) && !gaveFirstApproval(request, { userId: p.userId!, clientId: null }),
      conversation: await conversationOf(db, request.id),
      // Its history (reminders, escalations, expiry among them), as the partner's page shows it.
      history: (await eventsForTarget(db, `request:${request.id}`)).filter((e) => e.outcome === 'success'),
      questionMax: QUESTION_MAX,
      minUntil: earliestAccessDay(),
      // At stage 2, what stage 1 granted is the most that can be confirmed.
      maxUntil: (request.stage ?? 1) >= 2 ? latestGrantableDay(request.granted_until ?? null, stages.decidable) : latestGrantableDay(request.requested_until ?? null, items),
      stages,
      fieldParams: {},
      ...extra,
    }, status);
  };

  r.get('/inbox/:id', inbox, (req, res) => showRequest(req, res, parseId(req.params.id)));

  r.post('/inbox/:id/decision', inbox, csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const parsed = decisionSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('errors.invalidForm', { decision: 'errors.invalidForm' });
    const choices = deciderChoices.safeParse(req.body ?? {});
    const values = {
      approve: ([] as unknown[]).concat(req.body?.approve ?? []).map(String),
      accessUntil: typeof req.body?.accessUntil === 'string' ? req.body.accessUntil.slice(0, 10) : '',
      itemsReason: typeof req.body?.itemsReason === 'string' ? req.body.itemsReason.slice(0, 1000) : '',
      reason: parsed.data.reason,
    };
    const again = (fields: Record<string, string>, fieldParams: Record<string, unknown> = {}) =>
      showRequest(req, res, id, { fields, fieldParams, values, notice: { key: 'errors.invalidForm' } }, 400);
    if (!choices.success) return again(Object.fromEntries(choices.error.issues.map((i) => [String(i.path[0]), i.message])));
    const approving = parsed.data.decision === 'approve';
    try {
      await decideRequest(deps, auditContext(req), principalOf(req)!, id, {
        decision: parsed.data.decision,
        // Approving with items unticked, the reason is the one given for them.
        reason: approving ? choices.data.itemsReason.trim() || parsed.data.reason : parsed.data.reason,
        ...(approving && choices.data.itemsListed !== undefined && { approvedItemIds: choices.data.approve }),
        ...(approving && { accessUntil: choices.data.accessUntil }),
      });
    } catch (err) {
      const e = err as { status?: number; fields?: Record<string, string>; fieldParams?: Record<string, unknown> };
      if (e.status === 409 && (await findRequest(db, id))?.status === 'info_requested') throw conflict('questions.errors.waitingForAnswer');
      if (e.status === 400 && e.fields && Object.keys(e.fields).length) {
        // The reason for unticked items is asked next to them.
        const { reason, ...others } = e.fields;
        const fields = approving && reason ? { ...others, itemsReason: reason } : e.fields;
        return again(fields, e.fieldParams);
      }
      throw err;
    }
    res.redirect(303, `/inbox?decided=${id}&d=${parsed.data.decision}`);
  });

  // Asking the requester instead of deciding: the same people may do it as may decide.
  r.post('/inbox/:id/question', inbox, csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const parsed = questionSchema.safeParse(req.body ?? {});
    const question = parsed.success ? parsed.data.question : null;
    try {
      await askRequester(deps, auditContext(req), principalOf(req)!, id, question);
    } catch (err) {
      const e = err as { status?: number; fields?: Record<string, string> };
      // The sponsor's words come back with the reason they were refused, nothing lost.
      if (e.status === 400 && e.fields?.question) {
        return showRequest(req, res, id, { fields: e.fields, values: { question: question ?? '' }, notice: { key: 'errors.invalidForm' } }, 400);
      }
      throw err;
    }
    res.redirect(303, `/inbox?decided=${id}&d=ask`);
  });

  return r;
}
