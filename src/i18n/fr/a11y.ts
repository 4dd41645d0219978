// Accessibilité : le récapitulatif des erreurs en tête d’un formulaire et les mots qui signalent une erreur.
export const a11y: Record<string, string> = {
  'a11y.errorSummaryTitle': '{count, plural, one {Un champ est à corriger} other {# champs sont à corriger}}',
  'a11y.errorSummaryLead': 'Corrigez les champs ci-dessous ; chaque lien vous y mène.',
  'a11y.errorPrefix': 'Erreur :',
};
