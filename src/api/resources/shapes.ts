// The JSON each resource is returned as, shaped like Microsoft Graph's (users, groups, invitations,
// directoryAudit) or in the same style for Passerelle's own access requests.
import { z } from 'zod';
import type { DirectoryUser, RequestRow } from '../../db/directory.ts';
import type { AuditRow } from '../../db/audit.ts';
import type { CatalogItem } from '../../db/rows.ts';

export const USER_FIELDS = [
  'id', 'displayName', 'mail', 'userPrincipalName', 'userType', 'accountEnabled', 'createdDateTime',
  'externalUserState', 'externalUserStateChangeDateTime',
] as const;

export const userSchema = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.user').optional(),
    id: z.string(),
    displayName: z.string(),
    mail: z.string(),
    userPrincipalName: z.string(),
    userType: z.enum(['Guest', 'Member']),
    accountEnabled: z.boolean(),
    createdDateTime: z.string(),
    externalUserState: z.enum(['PendingAcceptance', 'Accepted']).nullable(),
    externalUserStateChangeDateTime: z.string().nullable(),
  })
  .partial()
  .meta({ id: 'user', description: 'A guest or a member of our organization (Graph user).' });

export function userJson(u: DirectoryUser) {
  const guest = u.user_type === 'guest';
  return {
    id: String(u.id),
    displayName: u.display_name,
    mail: u.email,
    userPrincipalName: u.email,
    userType: guest ? ('Guest' as const) : ('Member' as const),
    accountEnabled: u.state !== 'disabled' && u.state !== 'removed',
    createdDateTime: u.created_at,
    externalUserState: guest ? (u.redeemed ? ('Accepted' as const) : ('PendingAcceptance' as const)) : null,
    externalUserStateChangeDateTime: guest ? (u.state_changed_at ?? u.created_at) : null,
  };
}

export const groupSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    mailEnabled: z.boolean(),
    securityEnabled: z.boolean(),
    groupTypes: z.array(z.string()),
    createdDateTime: z.string().nullable(),
  })
  .meta({ id: 'group', description: 'A group of the catalog (Graph group).' });

export function groupJson(g: CatalogItem & { created_at?: string }) {
  return {
    id: String(g.id),
    displayName: g.name,
    description: g.description || null,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [] as string[],
    createdDateTime: g.created_at ?? null,
  };
}

export const accessRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'info_requested', 'approved', 'denied', 'cancelled', 'expired', 'provisioned', 'failed']),
    requester: z.object({ issuer: z.string(), subject: z.string(), email: z.string(), displayName: z.string() }),
    justification: z.string(),
    items: z.array(z.object({ id: z.string(), displayName: z.string(), kind: z.enum(['group', 'app']) })),
    createdDateTime: z.string(),
    decidedDateTime: z.string().nullable(),
    decisionReason: z.string().nullable(),
    guestUserId: z.string().nullable(),
    approvalStage: z.number().int().min(1).max(2).meta({ description: 'The approval stage the request waits on, or was decided at: 1, or 2 when its items need a second approval. The decision endpoints decide this stage.' }),
  })
  .meta({ id: 'accessRequest', description: 'A partner’s request for access to catalog items.' });

export function accessRequestJson(r: RequestRow) {
  return {
    id: String(r.id),
    status: r.status,
    requester: { issuer: r.requester_issuer, subject: r.requester_subject, email: r.requester_email, displayName: r.requester_name },
    justification: r.justification,
    items: r.items.map((i) => ({ id: String(i.id), displayName: i.name, kind: i.kind as 'group' | 'app' })),
    createdDateTime: r.created_at,
    decidedDateTime: r.decided_at,
    decisionReason: r.decision_reason,
    guestUserId: r.guest_user_id ? String(r.guest_user_id) : null,
    approvalStage: Number(r.stage ?? 1),
  };
}

const identity = z.object({ id: z.string().nullable(), displayName: z.string().nullable() }).passthrough();

export const directoryAuditSchema = z
  .object({
    id: z.string(),
    category: z.string(),
    correlationId: z.string().nullable(),
    result: z.enum(['success', 'failure']),
    resultReason: z.string(),
    activityDisplayName: z.string(),
    activityDateTime: z.string(),
    loggedByService: z.string(),
    operationType: z.enum(['Add', 'Update', 'Delete', 'Other']),
    initiatedBy: z.object({ user: identity.nullable(), app: identity.nullable() }),
    targetResources: z.array(z.object({ id: z.string(), displayName: z.string(), type: z.string() })),
    additionalDetails: z.array(z.object({ key: z.string(), value: z.string() })),
  })
  .meta({ id: 'directoryAudit', description: 'One audit event (Graph directoryAudit); additionalDetails carry its place in the hash chain.' });

function operationType(action: string): 'Add' | 'Update' | 'Delete' | 'Other' {
  const verb = action.slice(action.indexOf('.') + 1);
  if (/^(created|granted|added|sponsor_added|batch_started|submitted)$/.test(verb)) return 'Add';
  if (/^(removed|revoked|deleted|sponsor_removed|left)$/.test(verb)) return 'Delete';
  if (/^(updated|approved|denied|disabled|enabled|redeemed|redemption_reset|reinstated|resent|provisioned|routed)$/.test(verb)) return 'Update';
  return 'Other';
}

export function directoryAuditJson(e: AuditRow) {
  const details = JSON.parse(e.details || '{}') as Record<string, unknown>;
  const [type] = (e.target ?? 'none').split(':');
  const who = { id: e.actor_id, displayName: e.actor_label };
  return {
    id: String(e.seq),
    category: e.action.split('.')[0],
    correlationId: e.correlation_id,
    result: e.outcome === 'success' ? ('success' as const) : ('failure' as const),
    resultReason: e.outcome === 'success' ? '' : `${e.outcome}${details.reason ? `: ${String(details.reason)}` : ''}`,
    activityDisplayName: e.action,
    activityDateTime: e.at,
    loggedByService: 'Passerelle',
    operationType: operationType(e.action),
    initiatedBy: {
      user: e.actor_type === 'user' || e.actor_type === 'anonymous' ? { ...who, userPrincipalName: e.actor_label, ipAddress: e.ip } : null,
      app: e.actor_type === 'api' || e.actor_type === 'system' ? { ...who, appId: e.actor_id, servicePrincipalName: e.actor_label } : null,
    },
    targetResources: e.target ? [{ id: e.target, displayName: e.target, type }] : [],
    additionalDetails: [
      ...Object.entries(details).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
      { key: 'sequenceNumber', value: String(e.seq) },
      { key: 'hash', value: e.hash },
      { key: 'previousHash', value: e.prev_hash },
    ],
  };
}

/** Graph's collection envelope. */
export const collection = (item: z.ZodType, id: string) =>
  z
    .object({
      '@odata.context': z.string(),
      '@odata.nextLink': z.string().optional(),
      value: z.array(item),
    })
    .meta({ id });
