// Les mots ajoutés par les corrections du cycle de vie des accès : une revue lancée deux fois, et une
// demande transmise de nouveau aux personnes qui en décident désormais (comme le dit son historique).
export const lifecycleFixes: Record<string, string> = {
  'lifecycleFixes.reviews.alreadyOpen': 'Cette revue d’accès est déjà ouverte avec le même nom, le même périmètre et la même échéance : rien n’a été relancé, et personne n’a reçu de message en double.',
  'history.request.rerouted': 'Transmise de nouveau, aux personnes qui en décident désormais',
  'lifecycleFixes.untilHintItemsMax': 'Le demandeur n’a pas demandé de date de fin ; les éléments permettent un accès jusqu’au {date} au plus. Vous pouvez choisir un jour antérieur.',
  'lifecycleFixes.adminHome.waitingOnRequester': 'En attente de la réponse du demandeur à une question :',
};
