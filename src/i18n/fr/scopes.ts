// Ce que permet chaque autorisation de l’API, tel que le dit la page des clients d’API.
export const scopes: Record<string, string> = {
  'scope.User.Invite.All': 'Inviter des invités (POST /invitations)',
  'scope.User.ReadWrite.All': 'Réinitialiser l’acceptation des invités et changer leur adresse d’invitation (niveau administrateur)',
  'scope.User.Read.All': 'Lire les invités et les membres (GET /users)',
  'scope.GroupMember.ReadWrite.All': 'Lire les groupes, y ajouter ou en retirer des membres',
  'scope.AccessRequest.Read.All': 'Lire les demandes d’accès',
  'scope.AccessRequest.ReadWrite.All': 'Lire, approuver et refuser les demandes d’accès',
  'scope.AuditLog.Read.All': 'Lire le journal d’audit (GET /auditLogs/directoryAudits)',
  'scope.Application.Read.All': 'Lire les applications et leurs réglages de connexion',
};
