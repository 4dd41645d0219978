// Les invitations qui expirent au vu de tous : la page d’un lien d’invitation inutilisable, l’e-mail à
// la personne qui a invité, et les mots du journal d’audit pour une expiration.
export const invitationExpiry: Record<string, string> = {
  'invitationExpiry.page.title': 'Lien d’invitation non valide',
  'invitationExpiry.page.lead': 'Ce lien d’invitation n’est pas valide : il a expiré ou n’est plus utilisable.',
  'invitationExpiry.page.why': 'Une invitation expire {days, plural, one {# jour} other {# jours}} après son envoi, chaque lien ne sert qu’une fois, et un nouvel e-mail d’invitation remplace les liens des précédents.',
  'invitationExpiry.page.askAgain': 'Demander à nouveau l’accès',
  'invitationExpiry.page.contact': 'Vous pouvez aussi écrire à la personne qui vous a invité : elle peut vous envoyer une nouvelle invitation.',

  'invitationExpiry.mail.subject': 'L’invitation envoyée à {email} a expiré sans être acceptée',
  'invitationExpiry.mail.body': 'L’invitation que vous avez envoyée à {email} a expiré le {expired} sans avoir été acceptée. Son lien ne fonctionne plus.\n\nSi cette personne a toujours besoin d’un accès, l’invitation peut être renvoyée depuis la fiche de l’invité, par un administrateur ou par un propriétaire de l’accès accordé : un nouveau lien lui sera envoyé.',
  'mailTemplates.invitation_expired.button': 'Ouvrir la page',
  'mailTemplates.invitation_expired.why': 'Vous recevez cet e-mail parce que vous avez invité cette personne, ou décidé de sa demande, chez {company}.',
  'mailTemplates.invitation_expired.title': 'Invitation expirée (à la personne qui a invité)',
  'mailTemplates.invitation_expired.about': 'À la personne qui a invité un invité (ou décidé de sa demande) quand l’invitation expire sans avoir été acceptée.',

  'invitationExpiry.owner.expired': 'Invitation expirée',
  'invitationExpiry.owner.resend': 'Envoyer une nouvelle invitation à {name}',
  'invitationExpiry.owner.resent': 'Une nouvelle invitation a été envoyée, avec un nouveau lien.',

  'auditLog.s.invitation.expired': '{target} a expiré sans être acceptée',
  'auditLog.a.invitation.expired': 'Invitation expirée',
};
