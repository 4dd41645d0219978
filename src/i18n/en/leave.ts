// A guest leaving the organization from My access: the section, the confirmation, the page after, the mails.
export const leave: Record<string, string> = {
  'leave.section.title': 'Leave {organization}',
  'leave.section.lead': 'If you no longer work with {organization}, you can leave. All of your access ends at once, you are signed out of every application, and you can no longer sign in here. Your sponsor is told.',
  'leave.section.button': 'Leave {organization}…',

  'leave.confirm.title': 'Leave {organization}?',
  'leave.confirm.lead': 'Please read what happens before you confirm. This cannot be undone by you.',
  'leave.confirm.removes': 'Your access to these ends now:',
  'leave.confirm.nothing': 'You hold no access at the moment; your guest account is closed all the same.',
  'leave.confirm.signOut': 'Every application you signed in to through this portal signs you out, and you are signed out here.',
  'leave.confirm.disabled': 'Your guest account is turned off: you can no longer sign in to the partner portal of {organization}.',
  'leave.confirm.sponsor': 'Your sponsor is told by e-mail, and you receive a confirmation.',
  'leave.confirm.again': 'If you need access again later, ask your sponsor: they can have your account restored, and you can then request access again.',
  'leave.confirm.submit': 'Yes, leave {organization}',
  'leave.confirm.cancel': 'No, keep my access',

  'leave.done.title': 'You left {organization}',
  'leave.done.lead': 'Your access has ended, you have been signed out, and your sponsor has been told. A confirmation is on its way to your mailbox.',
  'leave.done.again': 'Need access again later? Ask your sponsor at {organization}: once your account is restored, you can request access again.',
  'leave.done.home': 'Back to the home page',
  'leave.already': 'You have already left, or your access was turned off meanwhile: nothing changed.',

  'leave.mail.subject': 'You left {company}',
  'leave.mail.body': 'You left {company}. Your access has ended, the applications you used have signed you out, and your sign-in to the partner portal is turned off.\n\nIf you need access again later, ask your sponsor at {company}: once your account is restored, you can request access again.',
  'leave.mailSponsor.subject': '{name} left {company}',
  'leave.mailSponsor.body': '{name} ({email}), a guest you sponsor, left {company} from the partner portal. All of their access has ended and their guest account is turned off.\n\nThere is nothing you need to do. Should they need access again, an administrator can enable their account from the guest’s page.',
  'mailTemplates.guest_left.why': 'You received this e-mail because you were a guest of {company}.',
  'mailTemplates.guest_left.title': 'Guest left (to the guest)',
  'mailTemplates.guest_left.about': 'To a guest who left the organization from My access: the confirmation.',
  'mailTemplates.guest_left_sponsor.why': 'You received this e-mail because you sponsor this guest at {company}.',
  'mailTemplates.guest_left_sponsor.title': 'Guest left (to sponsors)',
  'mailTemplates.guest_left_sponsor.about': 'To the sponsors of a guest who left (else whoever decided their latest request).',

  'auditLog.s.guest.left': '{actor} left {organization}, giving up {items}',
  'auditLog.a.guest.left': 'Guest left',
};
