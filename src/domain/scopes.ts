// The permissions an API client can hold, named as Microsoft Graph names them so existing scripts
// read the same. A token carries only what an admin ticked; every endpoint names the one it needs.
export const SCOPES = {
  'User.Invite.All': 'Invite guests (POST /invitations)',
  // Graph asks for more than User.Invite.All to reset a redemption: a reset unbinds the guest's
  // identity and may move the invitation to another address, which hands the account (and every
  // membership) to whoever redeems next. Here it is an admin-level scope of its own.
  'User.ReadWrite.All': "Reset guests' redemption and change their invited address (admin-level)",
  'User.Read.All': 'Read guests and members (GET /users)',
  'GroupMember.ReadWrite.All': 'Read groups and add or remove their members',
  'AccessRequest.Read.All': 'Read access requests',
  'AccessRequest.ReadWrite.All': 'Read, approve and deny access requests',
  'AuditLog.Read.All': 'Read the audit log (GET /auditLogs/directoryAudits)',
  'Application.Read.All': 'Read applications and their sign-in settings',
  'AccessReview.Read.All': 'Read access reviews, their rounds and decisions',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export const isScope = (s: string): s is Scope => Object.hasOwn(SCOPES, s);

/** A write scope implies the matching read, as in Graph (ReadWrite covers Read). */
export function grants(held: readonly string[], needed: Scope): boolean {
  if (held.includes(needed)) return true;
  if (needed === 'AccessRequest.Read.All') return held.includes('AccessRequest.ReadWrite.All');
  return false;
}
