// The mails of a pending request's time-outs (issue 18, point 1), as MailSpecs like those of
// templates.ts: the reminder to its approvers and the escalation to its new ones (both lead to the
// request in the inbox, where they decide), and the expiry to the partner, whose button opens the
// request form with the same items chosen again.
import type { Config } from '../config.ts';
import { requestFacts, type MailSpec } from './templates.ts';

export interface TimedOutRequest {
  id: number;
  stage: number;
  requester_name: string;
  requester_email: string;
  organization_id: number | null;
  organization_name: string | null;
  guest_user_id: number | null;
  justification: string;
}

const itemList = (items: { name: string }[]) => items.map((i) => i.name).join(', ');

function toApprover(config: Config, template: 'request_reminder' | 'request_escalated', r: TimedOutRequest, items: { name: string }[], days: number, approver: { id: number; email: string }): MailSpec {
  const facts = requestFacts(r, items);
  return {
    template,
    // Once per approver and stage: a request that reaches stage 2 starts its time-outs again.
    dedupeKey: `request:${r.id}:stage${r.stage}:${template === 'request_reminder' ? 'reminder' : 'escalated'}:${approver.id}`,
    kind: 'notice',
    reference: null,
    to: approver.email,
    values: { ...facts.values, days },
    details: facts.details,
    link: `${config.publicUrl}/inbox/${r.id}`,
    recipient: { userId: approver.id },
  };
}

/** To each approver of the request's stage: it has waited `days` days for their decision. */
export const reminderMail = (config: Config, r: TimedOutRequest, items: { name: string }[], days: number, approver: { id: number; email: string }) =>
  toApprover(config, 'request_reminder', r, items, days, approver);

/** To each fallback approver an escalation added: the request is theirs to decide now too. */
export const escalatedMail = (config: Config, r: TimedOutRequest, items: { name: string }[], days: number, approver: { id: number; email: string }) =>
  toApprover(config, 'request_escalated', r, items, days, approver);

/** Where the partner asks again: the request form with the same items already chosen. */
export function askAgainLink(config: Config, items: { id: number }[]): string {
  const query = items.map((i) => `item=${i.id}`).join('&');
  return `${config.publicUrl}/requests/new${query ? `?${query}` : ''}`;
}

/** To the partner: the request expired undecided (or unanswered), and a button to ask again. */
export function expiredMail(config: Config, r: TimedOutRequest, items: { id: number; name: string }[], days: number, unanswered: boolean): MailSpec {
  return {
    template: 'request_expired',
    dedupeKey: `request:${r.id}:expired`,
    kind: 'notice',
    reference: null,
    to: r.requester_email,
    values: { id: r.id, items: itemList(items), days, reason: unanswered ? 'unanswered' : 'waited' },
    details: [{ label: 'mailTemplates.detail.items', value: itemList(items) }],
    link: askAgainLink(config, items),
    recipient: { userId: r.guest_user_id, organizationId: r.organization_id },
  };
}
