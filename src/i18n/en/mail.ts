// E-mail subjects and bodies (plain text; the HTML part escapes them).
export const mail: Record<string, string> = {
  'mail.footer': 'Passerelle, partner access portal',
  'mail.route.subject': 'Access request #{id} from {name} needs your decision',
  'mail.route.body': '{name} ({email}, {organization}) asks for access to: {items}.\n\nJustification:\n{justification}\n\nDecide in your inbox: {link}',
  'mail.denied.subject': 'Your access request #{id} was denied',
  'mail.denied.body': 'Your request for {items} was denied.\n\nReason: {reason}\n\nSee your requests: {link}',
  'mail.invite.subject': 'You are invited to {items}',
  'mail.invite.body': '{sponsor} gave you access to: {items}. Accept the invitation to start using it.\n\nAccept: {link}\n\nThe link works once and expires on {expires} (UTC).',
  'mail.granted.subject': 'Your access to {items} is ready',
  'mail.granted.body': 'Your request was approved by {sponsor}. You now have access to: {items}.\n\nOpen your access panel: {link}',
  'mail.invite.personal': 'A message from {sponsor}:',
  'mail.byPolicy': 'your organization’s agreement with us',
  'mail.code.subject': 'Your Passerelle sign-in code',
  'mail.code.body': 'Your sign-in code is:\n\n{code}\n\nOr open this link and confirm: {link}\n\nThe code works once, for {minutes} minutes. If you did not ask for it, ignore this e-mail.',
  'mail.added.subject': 'You now have access to {items}',
  'mail.added.body': '{sponsor} gave you access to: {items}.\n\nOpen your access panel: {link}',
};
