// Invitations that expire visibly: the page an unusable invitation link opens, the mail to whoever
// invited, and the audit log's words for an expiry.
export const invitationExpiry: Record<string, string> = {
  'invitationExpiry.page.title': 'Invitation link not valid',
  'invitationExpiry.page.lead': 'This invitation link is not valid: it has expired or is no longer valid.',
  'invitationExpiry.page.why': 'Invitations expire {days, plural, one {# day} other {# days}} after they are sent, each link works once, and a newer invitation mail replaces the links of earlier ones.',
  'invitationExpiry.page.askAgain': 'Ask for access again',
  'invitationExpiry.page.contact': 'You can also write to the person who invited you: they can send you a new invitation.',

  'invitationExpiry.mail.subject': 'The invitation to {email} expired unused',
  'invitationExpiry.mail.body': 'The invitation you sent to {email} expired on {expired} without being accepted. Nobody can use its link any more.\n\nIf this person still needs access, the invitation can be sent again from the guest’s page, by an administrator or an owner of the access granted: a new link is mailed to them.',
  'mailTemplates.invitation_expired.button': 'Open the page',
  'mailTemplates.invitation_expired.why': 'You received this e-mail because you invited this guest, or decided their request, at {company}.',
  'mailTemplates.invitation_expired.title': 'Invitation expired (to the inviter)',
  'mailTemplates.invitation_expired.about': 'To whoever invited a guest (or decided their request) when the invitation expires unused.',

  'invitationExpiry.owner.expired': 'Invitation expired',
  'invitationExpiry.owner.resend': 'Send a new invitation to {name}',
  'invitationExpiry.owner.resent': 'A new invitation was sent, with a new link.',

  'auditLog.s.invitation.expired': '{target} expired unused',
  'auditLog.a.invitation.expired': 'Invitation expired',
};
