// What each API permission allows, as the API clients page says it (the API reference keeps its own English).
export const scopes: Record<string, string> = {
  'scope.User.Invite.All': 'Invite guests (POST /invitations)',
  'scope.User.ReadWrite.All': "Reset guests' redemption and change their invited address (admin-level)",
  'scope.User.Read.All': 'Read guests and members (GET /users)',
  'scope.GroupMember.ReadWrite.All': 'Read groups and add or remove their members',
  'scope.AccessRequest.Read.All': 'Read access requests',
  'scope.AccessRequest.ReadWrite.All': 'Read, approve and deny access requests',
  'scope.AuditLog.Read.All': 'Read the audit log (GET /auditLogs/directoryAudits)',
  'scope.Application.Read.All': 'Read applications and their sign-in settings',
};
