import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { appendAudit } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findItemsByIds } from '../db/catalog.ts';
import { autoApprovedItems, findOrgForDomain } from '../db/organizations.ts';
import { insertRequest, recordItemDecisions, transitionRequest } from '../db/requests.ts';
import { findUserByIdentity } from '../db/users.ts';
import { readSettings } from '../db/settings.ts';
import { addOutbox } from '../db/outbox.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import { approvedByPolicy, isDenied } from '../domain/organizationPolicy.ts';
import { emailDomain, type Principal } from '../domain/principal.ts';
import { checkDay, earliestAccessDay, longestAccessDay } from '../domain/accessDates.ts';
import { recordRefusal } from './recordRefusal.ts';
import { now as clockNow, nowIso } from '../domain/clock.ts';
import { renameGuest } from './renameGuest.ts';
import { routeToApprovers } from './routeToApprovers.ts';
import { sendOnToStageTwo } from './advanceStage.ts';
import { needsSecondStage } from '../domain/stages.ts';

export interface SubmitInput {
  itemIds: number[];
  justification: string;
  /** The name she gives (trimmed, validated by the caller); her IdP's name when absent. */
  displayName?: string;
  /** The last day she asks access for (YYYY-MM-DD); absent or empty: the longest her items allow. */
  accessUntil?: string;
  /** The membership of hers this asks to extend (src/commands/requestExtension.ts): its item need not be requestable. */
  extensionOf?: number;
}

/** A form field's problem, with what its message needs (the last day allowed). */
export const untilError = (key: string, date: string | null) =>
  Object.assign(invalid('errors.invalidForm', { accessUntil: key }), { fieldParams: { accessUntil: { date: date ?? '' } } });

/**
 * The day a request asks access until: the one chosen, checked against the items' longest access; or
 * none, and each item then lasts its own longest from the day it is granted, however late that is.
 */
export function requestedUntil(items: { max_days: number | null }[], chosen: string | undefined, now = clockNow()): string | null {
  const max = longestAccessDay(items, now);
  if (!chosen) return null;
  const problem = checkDay(chosen, { min: earliestAccessDay(now), max });
  if (problem) throw untilError(`choices.errors.until.${problem}`, max);
  return chosen;
}

/**
 * One transaction writes the request and its audit event, and either routes it (its approvers, and
 * the outbox rows of their mails) or, for an auto-approved request, the outbox row that provisions
 * it; the caller answers without waiting on Redis.
 *
 * Routing is part of the submission rather than a job of its own: it is a few reads and inserts in
 * this database, and as a job it cost the worker about as much again as the submission cost the web
 * (a second transaction, a Bull job, the relay's pass), left each request without approvers until a
 * worker got to it, and none at all while Redis was away.
 */
export async function submitRequest(deps: Deps, ctx: AuditContext, p: Principal, input: SubmitInput): Promise<{ id: number; automatic: boolean }> {
  const { db } = deps;
  if (!can(p, 'request:create')) {
    await recordRefusal(db, ctx, 'request.submit', null, 'not a partner identity with a verified e-mail');
    throw forbidden('errors.requestNotAllowed');
  }
  const items = await findItemsByIds(db, input.itemIds);
  if (items.length !== input.itemIds.length || items.some((i) => !i.requestable && input.extensionOf === undefined)) {
    throw invalid('errors.invalidForm', { items: 'requests.errors.unknownItem' });
  }
  // Domain rules use the verified e-mail the IdP asserted, never anything typed in a form.
  const domain = emailDomain(p.email);
  const org = await findOrgForDomain(db, domain);
  const refuse = async (reason: string, message: string) => {
    await recordRefusal(db, ctx, 'request.submit', null, reason);
    return forbidden(message);
  };
  if (isDenied(org)) throw await refuse(`domain ${domain} is denied`, 'errors.domainDenied');
  if (!org && !(await readSettings(db)).unknownDomainsMayRequest) {
    throw await refuse(`domain ${domain} belongs to no partner organization`, 'errors.unknownDomain');
  }
  if (!org && items.some((i) => i.audience === 'known_partners')) throw await refuse('item restricted to registered partners', 'errors.itemNotForYou');
  const until = requestedUntil(items, input.accessUntil);
  const name = input.displayName ?? p.name;
  const byPolicy = await approvedByPolicy(org, items.map((i) => i.id), () => autoApprovedItems(db, org!.id));
  // The organization's policy gives the first approval only: items asking for a second one still
  // wait for it (two-stage approval, src/commands/advanceStage.ts).
  const secondStage = items.filter(needsSecondStage);
  const automatic = byPolicy && secondStage.length === 0;

  const id = await inTransaction(db, async (trx) => {
    const requestId = await insertRequest(
      trx,
      {
        requester_issuer: p.issuer,
        requester_subject: p.subject,
        requester_email: p.email.toLowerCase(),
        requester_name: name,
        identity_provider_id: p.idpId,
        organization_id: org?.id ?? null,
        justification: input.justification,
        requested_until: until,
        extension_of: input.extensionOf ?? null,
      },
      items.map((i) => i.id),
    );
    await appendAudit(trx, ctx, {
      action: 'request.submitted',
      target: `request:${requestId}`,
      details: { items: items.map((i) => i.name), organization: org?.name ?? null, requestedUntil: until, displayName: name, ...(input.extensionOf !== undefined && { extensionOf: input.extensionOf }) },
    });
    // A guest already (she redeemed an earlier invitation) who gives another name is renamed now.
    const known = await findUserByIdentity(trx, p.issuer, p.subject);
    if (known?.user_type === 'guest' && input.displayName !== undefined) await renameGuest(trx, ctx, known.id, name);
    if (byPolicy && !automatic) {
      const request = { id: requestId, requester_name: name, requester_email: p.email.toLowerCase(), justification: input.justification, organization_name: org?.name ?? null };
      await sendOnToStageTwo(trx, deps.config, { ...ctx, actor: { type: 'system', id: 'system:policy', label: null } }, request, {
        approved: items,
        denied: [],
        nextStage: secondStage,
        until,
        reason: '',
        decidedBy: null,
        byPolicy: true,
      });
    } else if (automatic) {
      await transitionRequest(trx, requestId, ['pending'], { status: 'approved', decided_at: nowIso(), decision_reason: null, granted_until: until });
      await recordItemDecisions(trx, requestId, items.map((i) => i.id));
      await appendAudit(trx, { ...ctx, actor: { type: 'system', id: 'system:policy', label: null } }, {
        action: 'request.auto_approved',
        target: `request:${requestId}`,
        details: { organization: org!.name, approvedItems: items.map((i) => i.name), deniedItems: [], accessUntil: until },
      });
      await addOutbox(trx, 'request.approved', { requestId });
    } else {
      const request = {
        id: requestId,
        requester_name: name,
        requester_email: p.email.toLowerCase(),
        justification: input.justification,
        organization_id: org?.id ?? null,
        organization_name: org?.name ?? null,
      };
      await routeToApprovers(trx, deps.config, ctx, request, items);
    }
    return requestId;
  });
  return { id, automatic };
}
