// What each system mail says, as a MailSpec: which template, to whom, the values of its placeholders,
// the details that help the reader and where its button leads. src/mail/send.ts renders it in the
// recipient's language, with the admin's wording if any and the company's branding, and queues it.
// Links always use PUBLIC_URL, never a Host header; secrets (a redeem link, a sign-in code) are
// placeholders minted by the mail worker when the message leaves.
import type { Config } from '../config.ts';
import type { AccessRequest, CatalogItem } from '../db/rows.ts';
import type { MailKind } from '../db/rows.ts';
import type { Locale } from '../i18n/locales.ts';
import { t } from '../i18n/t.ts';
import type { TemplateName } from './catalog.ts';
import { CODE_LINK_PLACEHOLDER, CODE_PLACEHOLDER, REDEEM_LINK_PLACEHOLDER } from './placeholders.ts';

/** A value said the same in every language, or one said per language (a date). */
export type SpecValue = string | number | ((lang: Locale) => string);

/** Who gave the access: a person's name, or words said in the reader's language (an organization's agreement). */
export type Giver = string | ((lang: Locale) => string);

const giver = (g: Giver): SpecValue => (typeof g === 'function' ? (lang: Locale) => oneLine(g(lang)) : oneLine(g));

/** Who reads the mail, as far as the caller knows: send.ts picks the language from it. */
export interface RecipientHint {
  /** The language asked for explicitly (the page where a sign-in code was asked). */
  lang?: Locale | null;
  userId?: number | null;
  /** An invitation whose API caller asked for a language (Graph's messageLanguage). */
  invitationId?: number | null;
  organizationId?: number | null;
}

export interface MailSpec {
  template: TemplateName;
  /** What the message is about: the same cause never mails twice. */
  dedupeKey: string;
  kind: MailKind;
  reference: number | null;
  to: string;
  cc?: string[];
  values: Record<string, SpecValue>;
  /** Rows under the words: a catalog key for the label, and the value. */
  details: { label: string; value: SpecValue }[];
  /** A personal message from whoever invited the reader. */
  quote?: { sponsor: string; text: string } | null;
  /** The sign-in code's placeholder, for the one-time code mail. */
  code?: string | null;
  /** Where the button leads (PUBLIC_URL or a link placeholder); null: no button. */
  link: string | null;
  recipient: RecipientHint;
}

// Header values must be one line: a newline in a claim or a name must never start a new header.
export const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').slice(0, 250);

const itemList = (items: Pick<CatalogItem, 'name'>[]) => items.map((i) => i.name).join(', ');

const intlTag = (lang: Locale) => (lang === 'fr' ? 'fr-FR' : 'en-GB');

/** A UTC time as the reader's language writes it, with the zone named. */
export const utcDateTime = (iso: string) => (lang: Locale) =>
  `${new Intl.DateTimeFormat(intlTag(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

/** A calendar day (YYYY-MM-DD, UTC) as the reader's language writes it: 31 December 2026, 31 décembre 2026. */
export const longDay = (day: string) => (lang: Locale) =>
  new Intl.DateTimeFormat(intlTag(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

/** What a sponsor decided on a request, as the mail that follows tells the partner. */
export interface DecisionDetails {
  /** The names of the items granted. */
  approved: string[];
  /** The names of the items the sponsor denied. */
  denied: string[];
  /** Why the denied items were denied. */
  reason?: string | null;
  /** The last day of access (YYYY-MM-DD); null: no end date; absent: not said (the items end on different days). */
  accessUntil?: string | null;
}

/** The placeholders a decision fills in an admin's wording: {approved}, {denied}, {reason}, {accessUntil}. */
export function decisionValues(d: DecisionDetails | null | undefined): Record<string, SpecValue> {
  if (!d) return {};
  const until = d.accessUntil;
  return {
    approved: d.approved.join(', '),
    denied: d.denied.join(', '),
    reason: d.denied.length ? (d.reason ?? '') : '',
    accessUntil: until === undefined ? '' : until ? longDay(until) : (lang) => t('mailTemplates.decision.noEndDate', {}, lang),
  };
}

/** The decision as rows under the words: approved, not approved and why, until when. */
export function decisionRows(d: DecisionDetails): MailSpec['details'] {
  const approved = d.approved.join(', ');
  const denied = d.denied.join(', ');
  const reason = d.reason?.trim();
  const rows: MailSpec['details'] = [{ label: 'mailTemplates.detail.approved', value: approved }];
  if (denied) rows.push({ label: 'mailTemplates.detail.denied', value: reason ? (lang) => t('mailTemplates.decision.deniedBecause', { items: denied, reason }, lang) : denied });
  const until = d.accessUntil;
  if (until !== undefined) {
    rows.push({
      label: 'mailTemplates.detail.accessUntil',
      value: (lang) => (until ? t('mailTemplates.decision.endsOn', { date: longDay(until)(lang) }, lang) : t('mailTemplates.decision.noEnd', {}, lang)),
    });
  }
  return rows;
}

const notice = (template: TemplateName, dedupeKey: string, to: string, rest: Partial<MailSpec> & Pick<MailSpec, 'values' | 'link' | 'recipient'>): MailSpec => ({
  template,
  dedupeKey,
  kind: 'notice',
  reference: null,
  to,
  details: [],
  ...rest,
});

/** What a sponsor's mail says of the request routed to them. */
export type RoutedRequest = Pick<AccessRequest, 'id' | 'requester_name' | 'requester_email' | 'justification'> & { organization_name: string | null };

/** What an approver's mail shows of a request to decide: who asks, from where, for what, and why. */
export function requestFacts(r: RoutedRequest, items: { name: string }[]) {
  const organization = (lang: Locale) => r.organization_name ?? t('inbox.unknownOrg', {}, lang);
  return {
    values: { id: r.id, name: oneLine(r.requester_name), email: r.requester_email, organization, items: itemList(items) },
    details: [
      { label: 'mailTemplates.detail.requester', value: `${oneLine(r.requester_name)} <${r.requester_email}>` },
      { label: 'mailTemplates.detail.organization', value: organization },
      { label: 'mailTemplates.detail.items', value: itemList(items) },
      { label: 'mailTemplates.detail.justification', value: r.justification },
    ],
  };
}

export function routeMail(config: Config, r: RoutedRequest, items: CatalogItem[], approver: { id: number; email: string }): MailSpec {
  const facts = requestFacts(r, items);
  return notice('request_received', `request:${r.id}:route:${approver.id}`, approver.email, {
    values: { ...facts.values, justification: r.justification },
    details: facts.details,
    link: `${config.publicUrl}/inbox/${r.id}`,
    recipient: { userId: approver.id },
  });
}

export function deniedMail(config: Config, r: AccessRequest & { id: number }, reason: string, items?: Pick<CatalogItem, 'name'>[]): MailSpec {
  const list = items ? itemList(items) : `#${r.id}`;
  return notice('request_denied', `request:${r.id}:denied`, r.requester_email, {
    values: { id: r.id, items: list, reason },
    details: [
      { label: 'mailTemplates.detail.items', value: list },
      { label: 'mailTemplates.detail.reason', value: reason },
    ],
    link: `${config.publicUrl}/requests/${r.id}`,
    recipient: { userId: r.guest_user_id, organizationId: r.organization_id },
  });
}

export function invitationMail(
  _config: Config,
  invitation: { id: number; email: string; expiresAt: string; userId?: number | null },
  items: CatalogItem[],
  sponsor: Giver,
  extra: { message?: string | null; cc?: string[]; dedupeKey?: string; decision?: DecisionDetails | null } = {},
): MailSpec {
  const expires = utcDateTime(invitation.expiresAt);
  const decision = items.length ? extra.decision : null;
  return {
    template: items.length ? 'invitation' : 'invitation_no_items',
    dedupeKey: extra.dedupeKey ?? `invitation:${invitation.id}`,
    kind: 'invitation',
    reference: invitation.id,
    to: invitation.email,
    cc: extra.cc,
    values: { sponsor: giver(sponsor), items: itemList(items), expires, ...decisionValues(decision) },
    // The body says when the link expires; the details repeat what was granted (and, after a
    // sponsor's decision, what was not and until when), in the reader's language.
    details: decision ? decisionRows(decision) : items.length ? [{ label: 'mailTemplates.detail.items', value: itemList(items) }] : [],
    quote: extra.message && typeof sponsor === 'string' ? { sponsor: oneLine(sponsor), text: extra.message } : null,
    link: REDEEM_LINK_PLACEHOLDER,
    recipient: { userId: invitation.userId ?? null, invitationId: invitation.id },
  };
}

/** A sign-in code, in the language of the page where it was asked; the code and its link are minted when it leaves. */
export function codeMail(code: { id: number; email: string }, minutes: number, lang?: Locale | null): MailSpec {
  return {
    template: 'one_time_code',
    dedupeKey: `code:${code.id}`,
    kind: 'code',
    reference: code.id,
    to: code.email,
    values: { minutes },
    details: [],
    code: CODE_PLACEHOLDER,
    link: CODE_LINK_PLACEHOLDER,
    recipient: { lang: lang ?? null },
  };
}

/** To someone already a guest whose request was approved: what was granted, what was not and why, until when. */
export function grantedMail(config: Config, cause: string, to: string, items: CatalogItem[], sponsor: Giver, decision?: DecisionDetails | null): MailSpec {
  return notice('access_granted', `${cause}:granted`, to, {
    values: { sponsor: giver(sponsor), items: itemList(items), ...decisionValues(decision) },
    details: decision ? decisionRows(decision) : [{ label: 'mailTemplates.detail.items', value: itemList(items) }],
    link: `${config.publicUrl}/access`,
    recipient: {},
  });
}

/** To someone who is already a guest and was given more access directly (no request of theirs). */
export function addedMail(config: Config, cause: string, to: string, items: CatalogItem[], sponsor: Giver): MailSpec {
  return notice('access_added', `${cause}:added`, to, {
    values: { sponsor: giver(sponsor), items: itemList(items) },
    details: [{ label: 'mailTemplates.detail.items', value: itemList(items) }],
    link: `${config.publicUrl}/access`,
    recipient: {},
  });
}

/** To a guest who left the organization herself: what she gave up; nothing to click, her sign-in is off. */
export function guestLeftMail(_config: Config, cause: string, guest: { id: number; email: string }, items: string[]): MailSpec {
  const list = items.join(', ');
  return notice('guest_left', `${cause}:guest`, guest.email, {
    values: { items: list },
    details: items.length ? [{ label: 'mailTemplates.detail.items', value: list }] : [],
    link: null,
    recipient: { userId: guest.id },
  });
}

/** To a sponsor (else the decider of her latest request) of a guest who left the organization herself. */
export function guestLeftSponsorMail(
  _config: Config,
  cause: string,
  sponsor: { id: number; email: string },
  guest: { name: string; email: string },
  items: string[],
): MailSpec {
  const list = items.join(', ');
  return notice('guest_left_sponsor', `${cause}:sponsor:${sponsor.id}`, sponsor.email, {
    values: { name: oneLine(guest.name), email: guest.email, items: list },
    details: items.length ? [{ label: 'mailTemplates.detail.items', value: list }] : [],
    link: null,
    recipient: { userId: sponsor.id },
  });
}

/**
 * To the address a guest had when their redemption was reset: whoever holds it learns that the
 * account they signed in with no longer opens this access. Where a moved invitation went is not
 * said: the old mailbox may belong to someone else by now.
 */
export function resetGuestMail(_config: Config, cause: string, to: string, by: string, moved: boolean): MailSpec {
  return notice(moved ? 'redemption_reset_moved' : 'redemption_reset', `${cause}:guest`, to, { values: { by: oneLine(by) }, link: null, recipient: {} });
}

/** To a sponsor of a guest whose redemption was reset: the next person to redeem becomes this guest. */
export function resetSponsorMail(
  _config: Config,
  cause: string,
  sponsor: { id: number; email: string },
  guest: { name: string; previousEmail: string; email: string },
  by: string,
): MailSpec {
  return notice('redemption_reset_sponsor', `${cause}:sponsor:${sponsor.id}`, sponsor.email, {
    values: { by: oneLine(by), name: oneLine(guest.name), previous: guest.previousEmail, email: guest.email },
    link: null,
    recipient: { userId: sponsor.id },
  });
}

/** To whoever invited (or decided the request): the invitation expired unused, and where to resend it. */
export function invitationExpiredMail(invitation: { id: number; email: string; expiresAt: string }, to: { id: number; email: string }, link: string): MailSpec {
  return notice('invitation_expired', `invitation:${invitation.id}:expired:${to.id}`, to.email, {
    values: { email: invitation.email, expired: utcDateTime(invitation.expiresAt) },
    link,
    recipient: { userId: to.id },
  });
}

/** To a reviewer given rows of an access review: how many, by when, and the page where they answer. */
export function reviewAssignedMail(campaign: { id: number; name: string; deadlineAt: string }, to: { id: number; email: string }, count: number, link: string): MailSpec {
  return notice('review_assigned', `review:${campaign.id}:assigned:${to.id}`, to.email, {
    values: { campaign: oneLine(campaign.name), count, deadline: utcDateTime(campaign.deadlineAt) },
    link,
    recipient: { userId: to.id },
  });
}

/** To a reviewer with rows still unanswered; `round` tells reminders apart ("auto", or an admin's 1, 2…). */
export function reviewReminderMail(campaign: { id: number; name: string; deadlineAt: string }, to: { id: number; email: string }, count: number, round: string, link: string): MailSpec {
  return notice('review_reminder', `review:${campaign.id}:reminder:${round}:${to.id}`, to.email, {
    values: { campaign: oneLine(campaign.name), count, deadline: utcDateTime(campaign.deadlineAt) },
    link,
    recipient: { userId: to.id },
  });
}
