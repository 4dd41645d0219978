// The mails of a request's conversation (issue 18, point 2), as MailSpecs like those of templates.ts:
// the question to the requester, who answers on her request page, and her answer to the approvers,
// who decide on theirs. Each names the exchange it is about, so every round mails once.
import type { Config } from '../config.ts';
import type { AccessRequest, CatalogItem } from '../db/rows.ts';
import { oneLine, type MailSpec } from './templates.ts';

const itemList = (items: Pick<CatalogItem, 'name'>[]) => items.map((i) => i.name).join(', ');

/** To the requester: an approver's question, with a button to her request page where she answers. */
export function infoRequestedMail(
  config: Config,
  r: Pick<AccessRequest, 'id' | 'requester_email' | 'guest_user_id' | 'organization_id'>,
  items: Pick<CatalogItem, 'name'>[],
  question: { id: number; body: string; askedBy: string },
): MailSpec {
  return {
    template: 'info_requested',
    dedupeKey: `request:${r.id}:question:${question.id}`,
    kind: 'notice',
    reference: null,
    to: r.requester_email,
    values: { id: r.id, items: itemList(items), sponsor: oneLine(question.askedBy), question: question.body },
    details: [
      { label: 'mailTemplates.detail.items', value: itemList(items) },
      { label: 'questions.mail.detail.question', value: question.body },
    ],
    link: `${config.publicUrl}/requests/${r.id}#answer`,
    recipient: { userId: r.guest_user_id, organizationId: r.organization_id },
  };
}

/** To each approver of the request's stage: the requester answered, the request waits on them again. */
export function infoProvidedMail(
  config: Config,
  r: Pick<AccessRequest, 'id' | 'requester_name' | 'requester_email'>,
  answer: { id: number; body: string },
  approver: { id: number; email: string },
): MailSpec {
  return {
    template: 'info_provided',
    dedupeKey: `request:${r.id}:answer:${answer.id}:${approver.id}`,
    kind: 'notice',
    reference: null,
    to: approver.email,
    values: { id: r.id, name: oneLine(r.requester_name), email: r.requester_email, answer: answer.body },
    details: [
      { label: 'mailTemplates.detail.requester', value: `${oneLine(r.requester_name)} <${r.requester_email}>` },
      { label: 'questions.mail.detail.answer', value: answer.body },
    ],
    link: `${config.publicUrl}/inbox/${r.id}`,
    recipient: { userId: approver.id },
  };
}
