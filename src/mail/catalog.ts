// The system mails an admin can rewrite: for each, the placeholders its subject and body may use
// (with the sample values of the preview; a sponsor's decision adds {approved}, {denied}, {reason} and
// {accessUntil} to the mails that follow it), where its default words live in the i18n catalogs, and
// whether it may be switched off. The layout around the words (button, details, footer) is the
// product's and not editable.

export const TEMPLATE_NAMES = [
  'invitation',
  'invitation_no_items',
  'request_received',
  'request_denied',
  'access_granted',
  'access_added',
  'guest_left',
  'guest_left_sponsor',
  'one_time_code',
  'redemption_reset',
  'redemption_reset_moved',
  'redemption_reset_sponsor',
  'invitation_expired',
  'expiry_notice',
  'expiry_notice_sponsor',
  'access_expired',
  'access_expired_sponsor',
  'access_extended',
  'guest_disabled_inactive',
  'guest_disabled_inactive_sponsor',
  'info_requested',
  'info_provided',
  'review_assigned',
  'review_reminder',
  'request_reminder',
  'request_escalated',
  'request_expired',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(value: unknown): value is TemplateName {
  return typeof value === 'string' && (TEMPLATE_NAMES as readonly string[]).includes(value);
}

export interface TemplateDef {
  name: TemplateName;
  /** Catalog keys of the default subject and body. */
  subjectKey: string;
  bodyKey: string;
  /** Each placeholder the subject and body may use, with the value the preview shows. */
  placeholders: Record<string, string | number>;
  /**
   * False for the mails sign-in depends on: without the invitation nobody redeems, without the code
   * a partner whose organization has no identity provider cannot sign in at all.
   */
  mayDisable: boolean;
  /** The path of the call to action in the preview (the real mails build theirs). */
  samplePath: string | null;
}

const company = 'Example Corp';
// What a sponsor's decision adds to the mails that follow it (empty in a mail no decision preceded).
const decision = { approved: 'Partner Wiki', denied: 'Build server', reason: 'No supplier contract yet.', accessUntil: '31 December 2026' };

export const TEMPLATES: Record<TemplateName, TemplateDef> = {
  invitation: {
    name: 'invitation',
    subjectKey: 'mail.invite.subject',
    bodyKey: 'mailTemplates.invitation.body',
    placeholders: { sponsor: 'Sam Sponsor', items: 'Partner Wiki', expires: '12 December 2026 at 14:05 UTC', company, ...decision },
    mayDisable: false,
    samplePath: '/redeem/sample-token',
  },
  invitation_no_items: {
    name: 'invitation_no_items',
    subjectKey: 'mail.invite.subjectNoItems',
    bodyKey: 'mailTemplates.invitation_no_items.body',
    placeholders: { sponsor: 'Sam Sponsor', expires: '12 December 2026 at 14:05 UTC', company },
    mayDisable: false,
    samplePath: '/redeem/sample-token',
  },
  request_received: {
    name: 'request_received',
    subjectKey: 'mail.route.subject',
    bodyKey: 'mailTemplates.request_received.body',
    placeholders: { id: 42, name: 'Paula Partner', email: 'paula@acme.test', organization: 'Acme', items: 'Partner Wiki', justification: 'I write the integration guide.', company },
    mayDisable: true,
    samplePath: '/inbox/42',
  },
  request_denied: {
    name: 'request_denied',
    subjectKey: 'mail.denied.subject',
    bodyKey: 'mailTemplates.request_denied.body',
    placeholders: { id: 42, items: 'Partner Wiki', reason: 'No supplier contract yet.', company },
    mayDisable: true,
    samplePath: '/requests/42',
  },
  access_granted: {
    name: 'access_granted',
    subjectKey: 'mail.granted.subject',
    bodyKey: 'mailTemplates.access_granted.body',
    placeholders: { sponsor: 'Sam Sponsor', items: 'Partner Wiki', company, ...decision },
    mayDisable: true,
    samplePath: '/access',
  },
  access_added: {
    name: 'access_added',
    subjectKey: 'mail.added.subject',
    bodyKey: 'mailTemplates.access_added.body',
    placeholders: { sponsor: 'Sam Sponsor', items: 'Build server', company },
    mayDisable: true,
    samplePath: '/access',
  },
  guest_left: {
    name: 'guest_left',
    subjectKey: 'leave.mail.subject',
    bodyKey: 'leave.mail.body',
    placeholders: { items: 'Partner Wiki, Supplier Portal', company },
    mayDisable: true,
    samplePath: null,
  },
  guest_left_sponsor: {
    name: 'guest_left_sponsor',
    subjectKey: 'leave.mailSponsor.subject',
    bodyKey: 'leave.mailSponsor.body',
    placeholders: { name: 'Paula Partner', email: 'paula@acme.test', items: 'Partner Wiki, Supplier Portal', company },
    mayDisable: true,
    samplePath: null,
  },
  one_time_code: {
    name: 'one_time_code',
    subjectKey: 'mail.code.subject',
    bodyKey: 'mailTemplates.one_time_code.body',
    placeholders: { minutes: 10, company },
    mayDisable: false,
    samplePath: '/auth/email-code/verify',
  },
  redemption_reset: {
    name: 'redemption_reset',
    subjectKey: 'mail.resetGuest.subject',
    bodyKey: 'mail.resetGuest.body',
    placeholders: { by: 'Ada Admin', company },
    mayDisable: true,
    samplePath: null,
  },
  redemption_reset_moved: {
    name: 'redemption_reset_moved',
    subjectKey: 'mail.resetGuest.subject',
    bodyKey: 'mail.resetGuest.bodyMoved',
    placeholders: { by: 'Ada Admin', company },
    mayDisable: true,
    samplePath: null,
  },
  redemption_reset_sponsor: {
    name: 'redemption_reset_sponsor',
    subjectKey: 'mail.resetSponsor.subject',
    bodyKey: 'mail.resetSponsor.body',
    placeholders: { by: 'Ada Admin', name: 'Paula Partner', previous: 'paula@acme.test', email: 'paula@acme-new.test', company },
    mayDisable: true,
    samplePath: null,
  },
  // Access that ends (issue 18, points 4 and 5): {ends} is the end's date and time, {days} how many are left.
  expiry_notice: {
    name: 'expiry_notice',
    subjectKey: 'expiry.mail.notice.subject',
    bodyKey: 'expiry.mail.notice.body',
    placeholders: { items: 'Partner Wiki', ends: '31 December 2026 at 23:59 UTC', days: 14, company },
    mayDisable: true,
    samplePath: '/access/extend/42',
  },
  expiry_notice_sponsor: {
    name: 'expiry_notice_sponsor',
    subjectKey: 'expiry.mail.noticeSponsor.subject',
    bodyKey: 'expiry.mail.noticeSponsor.body',
    placeholders: { name: 'Paula Partner', email: 'paula@acme.test', items: 'Partner Wiki', ends: '31 December 2026 at 23:59 UTC', days: 14, company },
    mayDisable: true,
    samplePath: '/inbox',
  },
  access_expired: {
    name: 'access_expired',
    subjectKey: 'expiry.mail.expired.subject',
    bodyKey: 'expiry.mail.expired.body',
    placeholders: { items: 'Partner Wiki', company },
    mayDisable: true,
    samplePath: '/requests/new',
  },
  access_expired_sponsor: {
    name: 'access_expired_sponsor',
    subjectKey: 'expiry.mail.expiredSponsor.subject',
    bodyKey: 'expiry.mail.expiredSponsor.body',
    placeholders: { name: 'Paula Partner', email: 'paula@acme.test', items: 'Partner Wiki', company },
    mayDisable: true,
    samplePath: '/inbox',
  },
  access_extended: {
    name: 'access_extended',
    subjectKey: 'expiry.mail.extended.subject',
    bodyKey: 'expiry.mail.extended.body',
    placeholders: { sponsor: 'Sam Sponsor', items: 'Partner Wiki', ends: '30 June 2027 at 14:05 UTC', company },
    mayDisable: true,
    samplePath: '/access',
  },
  guest_disabled_inactive: {
    name: 'guest_disabled_inactive',
    subjectKey: 'expiry.mail.disabled.subject',
    bodyKey: 'expiry.mail.disabled.body',
    placeholders: { days: 30, company },
    mayDisable: true,
    samplePath: null,
  },
  guest_disabled_inactive_sponsor: {
    name: 'guest_disabled_inactive_sponsor',
    subjectKey: 'expiry.mail.disabledSponsor.subject',
    bodyKey: 'expiry.mail.disabledSponsor.body',
    placeholders: { name: 'Paula Partner', email: 'paula@acme.test', days: 30, company },
    mayDisable: true,
    samplePath: '/admin/guests/42',
  },
  invitation_expired: {
    name: 'invitation_expired',
    subjectKey: 'invitationExpiry.mail.subject',
    bodyKey: 'invitationExpiry.mail.body',
    placeholders: { email: 'paula@acme.test', expired: '12 December 2026 at 14:05 UTC', company },
    mayDisable: true,
    samplePath: '/admin/guests/42',
  },
  info_requested: {
    name: 'info_requested',
    subjectKey: 'questions.mail.asked.subject',
    bodyKey: 'questions.mail.asked.body',
    placeholders: { id: 42, items: 'Partner Wiki', sponsor: 'Sam Sponsor', question: 'Which project is this for?', company },
    mayDisable: false,
    samplePath: '/requests/42',
  },
  info_provided: {
    name: 'info_provided',
    subjectKey: 'questions.mail.answered.subject',
    bodyKey: 'questions.mail.answered.body',
    placeholders: { id: 42, name: 'Paula Partner', email: 'paula@acme.test', answer: 'The Atlas gearbox integration.', company },
    mayDisable: false,
    samplePath: '/inbox/42',
  },
  review_assigned: {
    name: 'review_assigned',
    subjectKey: 'reviews.mail.assigned.subject',
    bodyKey: 'reviews.mail.assigned.body',
    placeholders: { campaign: 'Partner access, first half', count: 12, deadline: '31 December 2026 at 17:00 UTC', company },
    mayDisable: true,
    samplePath: '/reviews/7',
  },
  review_reminder: {
    name: 'review_reminder',
    subjectKey: 'reviews.mail.reminder.subject',
    bodyKey: 'reviews.mail.reminder.body',
    placeholders: { campaign: 'Partner access, first half', count: 5, deadline: '31 December 2026 at 17:00 UTC', company },
    mayDisable: true,
    samplePath: '/reviews/7',
  },
  request_reminder: {
    name: 'request_reminder',
    subjectKey: 'requestTimeouts.mail.reminder.subject',
    bodyKey: 'requestTimeouts.mail.reminder.body',
    placeholders: { id: 42, name: 'Paula Partner', email: 'paula@acme.test', organization: 'Acme', items: 'Partner Wiki', days: 3, company },
    mayDisable: true,
    samplePath: '/inbox/42',
  },
  request_escalated: {
    name: 'request_escalated',
    subjectKey: 'requestTimeouts.mail.escalated.subject',
    bodyKey: 'requestTimeouts.mail.escalated.body',
    placeholders: { id: 42, name: 'Paula Partner', email: 'paula@acme.test', organization: 'Acme', items: 'Partner Wiki', days: 7, company },
    mayDisable: true,
    samplePath: '/inbox/42',
  },
  request_expired: {
    name: 'request_expired',
    // {reason} is "waited" (nobody decided in time) or "unanswered" (a question to the partner went unanswered).
    subjectKey: 'requestTimeouts.mail.expired.subject',
    bodyKey: 'requestTimeouts.mail.expired.body',
    placeholders: { id: 42, items: 'Partner Wiki', days: 14, reason: 'waited', company },
    mayDisable: true,
    samplePath: '/requests/new?item=1',
  },
};
