// Pending requests don't rot (issue 18, point 1): after its time-outs a request waiting for a
// decision reminds its approvers, is escalated to fallback approvers, and expires (the partner told,
// with a link to ask again); a request whose requester never answered an approver's question expires
// too. Each step is taken once: the database selects what is due and not yet done, and each request
// is stamped with a conditional update in the transaction that writes its audit event and mails, so
// two sweeps (or two workers) never act twice.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction, type Tx } from '../db/knex.ts';
import { readSettings } from '../db/settings.ts';
import { approversAtStage } from '../db/approvers.ts';
import {
  addEscalatedApprovers,
  dueRequests,
  fallbackApprovers,
  itemNamesOf,
  markEscalated,
  markExpired,
  markReminded,
  type DueRequest,
} from '../db/requestTimeouts.ts';
import { nowIso } from '../domain/clock.ts';
import type { TimeoutStep } from '../domain/requestTimeouts.ts';
import { queueSystemMail } from '../mail/send.ts';
import { escalatedMail, expiredMail, reminderMail } from '../mail/requestTimeoutMails.ts';
import { stillDeciding } from './stillDeciding.ts';

type Act = (deps: Deps, trx: Tx, ctx: AuditContext, r: DueRequest, at: string) => Promise<boolean>;

/** One batch of one step, in one transaction; returns how many requests it looked at (fewer than `batch`: none left). */
async function runStep(deps: Deps, ctx: AuditContext, step: TimeoutStep, act: Act, batch: number): Promise<number> {
  const defaults = (await readSettings(deps.db)).requestTimeouts;
  // Asked every sweep: with nothing due, no write transaction (and no wait for the audit head).
  if ((await dueRequests(deps.db, step, defaults, nowIso(), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = nowIso();
    const due = await dueRequests(trx, step, defaults, at, batch);
    for (const r of due) await act(deps, trx, ctx, r, at);
    return due.length;
  });
}

const remind: Act = async (deps, trx, ctx, r, at) => {
  if (!(await markReminded(trx, r, at))) return false;
  const approvers = await stillDeciding(trx, r, await approversAtStage(trx, r.id, r.stage));
  const items = await itemNamesOf(trx, r.id);
  for (const a of approvers) await queueSystemMail(trx, reminderMail(deps.config, r, items, r.days, a));
  await appendAudit(trx, ctx, {
    action: 'request.reminded',
    target: `request:${r.id}`,
    outcome: approvers.length ? 'success' : 'failure',
    details: { approvers: approvers.map((a) => a.email), days: r.days, stage: r.stage },
  });
  return true;
};

const escalate: Act = async (deps, trx, ctx, r, at) => {
  if (!(await markEscalated(trx, r, at))) return false;
  const added = await fallbackApprovers(trx, r);
  await addEscalatedApprovers(trx, r.id, r.stage, added.map((a) => a.id), at);
  const items = await itemNamesOf(trx, r.id);
  for (const a of added) await queueSystemMail(trx, escalatedMail(deps.config, r, items, r.days, a));
  // Nobody left to escalate to (every sponsor and admin already decides it): the escalation is on
  // record as failed, and the approvers it waits on are reminded once more instead.
  if (added.length === 0) {
    for (const a of await stillDeciding(trx, r, await approversAtStage(trx, r.id, r.stage))) {
      // Its own dedupe key: the first reminder's must not swallow this one.
      const again = reminderMail(deps.config, r, items, r.days, a);
      await queueSystemMail(trx, { ...again, dedupeKey: `${again.dedupeKey}:at-escalation` });
    }
  }
  await appendAudit(trx, ctx, {
    action: 'request.escalated',
    target: `request:${r.id}`,
    outcome: added.length ? 'success' : 'failure',
    details: { approvers: added.map((a) => a.email), days: r.days, stage: r.stage },
  });
  return true;
};

const expire: Act = async (deps, trx, ctx, r, at) => {
  if (!(await markExpired(trx, r, at))) return false;
  const unanswered = r.status === 'info_requested';
  const items = await itemNamesOf(trx, r.id);
  await queueSystemMail(trx, expiredMail(deps.config, r, items, r.days, unanswered));
  await appendAudit(trx, ctx, {
    action: 'request.expired',
    target: `request:${r.id}`,
    details: { days: r.days, reason: unanswered ? 'unanswered' : 'waited', items: items.map((i) => i.name), from: r.status },
  });
  return true;
};

export const remindDueRequests = (deps: Deps, ctx: AuditContext, batch = 200) => runStep(deps, ctx, 'remind', remind, batch);
export const escalateDueRequests = (deps: Deps, ctx: AuditContext, batch = 200) => runStep(deps, ctx, 'escalate', escalate, batch);
export const expireDueRequests = (deps: Deps, ctx: AuditContext, batch = 200) => runStep(deps, ctx, 'expire', expire, batch);
