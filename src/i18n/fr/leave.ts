// Un invité qui quitte l’organisation depuis « Mes accès » : la section, la confirmation, la page d’après, les e-mails.
export const leave: Record<string, string> = {
  'leave.section.title': 'Quitter {organization}',
  'leave.section.lead': 'Si vous ne travaillez plus avec {organization}, vous pouvez partir. Tous vos accès prennent fin immédiatement, vous êtes déconnecté de chaque application et vous ne pourrez plus vous connecter ici. Votre sponsor en est informé.',
  'leave.section.button': 'Quitter {organization}…',

  'leave.confirm.title': 'Quitter {organization} ?',
  'leave.confirm.lead': 'Lisez ce qui va se passer avant de confirmer. Vous ne pourrez pas revenir en arrière vous-même.',
  'leave.confirm.removes': 'Vos accès suivants prennent fin maintenant :',
  'leave.confirm.nothing': 'Vous n’avez aucun accès en ce moment ; votre compte invité sera tout de même fermé.',
  'leave.confirm.signOut': 'Chaque application à laquelle vous vous êtes connecté par ce portail vous déconnecte, et vous êtes déconnecté ici.',
  'leave.confirm.disabled': 'Votre compte invité est désactivé : vous ne pourrez plus vous connecter au portail partenaires de {organization}.',
  'leave.confirm.sponsor': 'Votre sponsor est prévenu par e-mail, et vous recevez une confirmation.',
  'leave.confirm.again': 'Si vous avez de nouveau besoin d’un accès plus tard, adressez-vous à votre sponsor : il peut faire rétablir votre compte, et vous pourrez alors redemander un accès.',
  'leave.confirm.submit': 'Oui, quitter {organization}',
  'leave.confirm.cancel': 'Non, garder mes accès',

  'leave.done.title': 'Vous avez quitté {organization}',
  'leave.done.lead': 'Vos accès ont pris fin, vous avez été déconnecté et votre sponsor a été prévenu. Une confirmation vous a été envoyée par e-mail.',
  'leave.done.again': 'Besoin d’un accès plus tard ? Adressez-vous à votre sponsor chez {organization} : une fois votre compte rétabli, vous pourrez redemander un accès.',
  'leave.done.home': 'Retour à l’accueil',
  'leave.already': 'Vous êtes déjà parti, ou votre accès a été désactivé entre-temps : rien n’a changé.',

  'leave.mail.subject': 'Vous avez quitté {company}',
  'leave.mail.body': 'Vous avez quitté {company}. Vos accès ont pris fin, les applications que vous utilisiez vous ont déconnecté et votre connexion au portail partenaires est désactivée.\n\nSi vous avez de nouveau besoin d’un accès plus tard, adressez-vous à votre sponsor chez {company} : une fois votre compte rétabli, vous pourrez redemander un accès.',
  'leave.mailSponsor.subject': '{name} a quitté {company}',
  'leave.mailSponsor.body': '{name} ({email}), un invité dont vous êtes le sponsor, a quitté {company} depuis le portail partenaires. Tous ses accès ont pris fin et son compte invité est désactivé.\n\nVous n’avez rien à faire. S’il a de nouveau besoin d’un accès, un administrateur peut réactiver son compte depuis la page de l’invité.',
  'mailTemplates.guest_left.why': 'Vous recevez cet e-mail parce que vous étiez invité chez {company}.',
  'mailTemplates.guest_left.title': 'Départ d’un invité (à l’invité)',
  'mailTemplates.guest_left.about': 'À l’invité qui a quitté l’organisation depuis « Mes accès » : la confirmation.',
  'mailTemplates.guest_left_sponsor.why': 'Vous recevez cet e-mail parce que vous êtes le sponsor de cet invité chez {company}.',
  'mailTemplates.guest_left_sponsor.title': 'Départ d’un invité (aux sponsors)',
  'mailTemplates.guest_left_sponsor.about': 'Aux sponsors d’un invité qui est parti (à défaut, à la personne qui a décidé sa dernière demande).',

  'auditLog.s.guest.left': '{actor} a quitté {organization} et renoncé à {items}',
  'auditLog.a.guest.left': 'Départ de l’invité',
};
