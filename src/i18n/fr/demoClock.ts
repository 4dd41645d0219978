// L’horloge déplacée de la démonstration (passerelle clock), telle que le journal d’audit la raconte.
export const demoClock = {
  'auditLog.s.clock.moved': '{actor} a avancé l’horloge de démonstration : {days, plural, =0 {retour à l’heure réelle} one {# jour d’avance} other {# jours d’avance}}',
  'auditLog.a.clock.moved': 'Horloge de démonstration déplacée',
};
