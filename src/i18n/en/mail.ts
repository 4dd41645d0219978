// E-mail subjects and bodies (plain text; the HTML part escapes them).
export const mail: Record<string, string> = {
  'mail.route.subject': 'Access request #{id} from {name} needs your decision',
  'mail.denied.subject': 'Your access request #{id} was denied',
  'mail.invite.subject': 'You are invited to {items}',
  'mail.granted.subject': 'Your access to {items} is ready',
  'mail.invite.subjectNoItems': '{sponsor} invites you to collaborate',
  'mail.invite.personal': 'A message from {sponsor}:',
  'mail.byPolicy': 'your organization’s agreement with us',
  'mail.code.subject': 'Your Passerelle sign-in code',
  'mail.added.subject': 'You now have access to {items}',
  'mail.resetGuest.subject': 'Your guest access was reset',
  'mail.resetGuest.body': '{by} reset your guest access. The account you signed in with before no longer opens it; accept the new invitation to sign in again.\n\nIf you did not expect this, tell your contact at our organization.',
  'mail.resetGuest.bodyMoved': '{by} reset your guest access and sent a new invitation to another address. This address, and the account you signed in with before, no longer open it.\n\nIf you did not expect this, tell your contact at our organization at once.',
  'mail.resetSponsor.subject': 'The guest access of {name} was reset',
  'mail.resetSponsor.body': '{by} reset the redemption of {name}, a guest you sponsor. Whoever accepts the new invitation signs in as this guest, with all of their access.\n\nPrevious address: {previous}\nNew invitation sent to: {email}\n\nIf you did not expect this, ask an administrator to disable the guest.',
};
