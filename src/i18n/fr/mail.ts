// Objets et corps des e-mails (texte brut ; la partie HTML les échappe).
export const mail: Record<string, string> = {
  'mail.route.subject': 'La demande d’accès n° {id} de {name} attend votre décision',
  'mail.denied.subject': 'Votre demande d’accès n° {id} a été refusée',
  'mail.invite.subject': 'Vous êtes invité à accéder à {items}',
  'mail.granted.subject': 'Votre accès à {items} est prêt',
  'mail.invite.subjectNoItems': '{sponsor} vous invite à collaborer',
  'mail.invite.personal': 'Message de {sponsor} :',
  'mail.byPolicy': 'l’accord de votre organisation avec nous',
  'mail.code.subject': 'Votre code de connexion Passerelle',
  'mail.added.subject': 'Vous avez désormais accès à {items}',
  'mail.resetGuest.subject': 'Votre accès invité a été réinitialisé',
  'mail.resetGuest.body': '{by} a réinitialisé votre accès invité. Le compte avec lequel vous vous connectiez jusqu’ici ne permet plus d’y accéder ; acceptez la nouvelle invitation pour vous connecter de nouveau.\n\nSi vous ne vous y attendiez pas, prévenez votre contact dans notre organisation.',
  'mail.resetGuest.bodyMoved': '{by} a réinitialisé votre accès invité et envoyé une nouvelle invitation à une autre adresse. Ni cette adresse ni le compte avec lequel vous vous connectiez jusqu’ici ne permettent plus d’y accéder.\n\nSi vous ne vous y attendiez pas, prévenez immédiatement votre contact dans notre organisation.',
  'mail.resetSponsor.subject': 'L’accès invité de {name} a été réinitialisé',
  'mail.resetSponsor.body': '{by} a réinitialisé l’acceptation de l’invitation de {name}, un invité dont vous êtes le sponsor. La personne qui acceptera la nouvelle invitation se connectera en tant que cet invité, avec tous ses accès.\n\nAdresse précédente : {previous}\nNouvelle invitation envoyée à : {email}\n\nSi vous ne vous y attendiez pas, demandez à un administrateur de désactiver cet invité.',
};
