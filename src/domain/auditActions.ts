// What the audit log's actions are, by area, and what an event refers to (people, requests, items…),
// so that the names a page needs are read once for the page (db/audit.ts: auditNames) and each event
// told in plain words (i18n/auditSentence.ts).
import type { ChainedEvent } from './auditChain.ts';

/** Every action the code writes, by area, in the order the filter lists them. */
export const AUDIT_AREAS: readonly { area: string; actions: readonly string[] }[] = [
  { area: 'requests', actions: ['request.submitted', 'request.auto_approved', 'request.routed', 'request.rerouted', 'request.approved', 'request.stage_approved', 'request.denied', 'request.info_requested', 'request.info_provided', 'request.reminded', 'request.escalated', 'request.expired', 'request.provisioned', 'request.accepted', 'request.decide', 'request.ask', 'request.answer', 'request.view', 'request.read'] },
  { area: 'invitations', actions: ['invitation.created', 'invitation.resent', 'invitation.redeemed', 'invitation.expired', 'invitation.batch_started', 'invitation.batch_read'] },
  {
    area: 'guests',
    actions: [
      'guest.created', 'guest.reinstated', 'guest.updated', 'guest.disabled', 'guest.enabled', 'guest.removed', 'guest.left', 'guest.redemption_reset',
      'guest.renamed', 'guest.sponsor_added', 'guest.sponsor_removed', 'membership.granted', 'membership.removed', 'membership.expired', 'membership.expiry_notice', 'membership.extended',
      'member.created', 'member.identity_bound', 'admin.granted',
    ],
  },
  { area: 'signIn', actions: ['auth.signed_in', 'auth.sign_in', 'auth.signed_out', 'auth.session_ended', 'auth.code_requested', 'auth.code_used', 'csrf', 'rate_limit', 'profile.updated', 'user.language_changed'] },
  {
    area: 'applications',
    actions: ['app.sign_in', 'app.consent_given', 'app.consent_declined', 'app.consent_withdrawn', 'app.tokens_revoked', 'app.backchannel_logout', 'app_client.created', 'app_client.updated', 'app_client.secret_rotated'],
  },
  { area: 'catalog', actions: ['catalog.item_created', 'catalog.item_updated', 'item.manage'] },
  { area: 'organizations', actions: ['organization.created', 'organization.updated', 'idp.created', 'idp.updated', 'idp.enabled', 'idp.disabled', 'idp.tested', 'oidc.key_created', 'oidc.key_rotated'] },
  { area: 'apiClients', actions: ['api_client.created', 'api_client.revoked', 'api.authenticate', 'api.authorize'] },
  { area: 'settings', actions: ['settings.updated', 'settings.branding_updated', 'clock.moved'] },
  { area: 'audit', actions: ['audit.verify_requested', 'audit.verified', 'audit.verify_failed', 'audit.exported'] },
  { area: 'mail', actions: ['mail.sent', 'mail.failed', 'mail.cancelled', 'job.retried', 'mail_template.updated', 'mail_template.restored', 'mail_template.enabled', 'mail_template.disabled'] },
  { area: 'reviews', actions: ['review.started', 'review.scheduled', 'review.decided', 'review.decide', 'review.view', 'review.reminded', 'review.closed', 'review.applied', 'review.exported'] },
];

export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_AREAS.flatMap((a) => a.actions));

/** The names a page of events refers to, read once for the page. */
export interface AuditNames {
  users: Map<number, { name: string; email: string; guest: boolean }>;
  requests: Map<number, { owner: string; ownerEmail: string; items: string[] }>;
  items: Map<number, { name: string; app: boolean }>;
  organizations: Map<number, string>;
  idps: Map<string, { id: number; name: string; page: boolean }>;
  apiClients: Map<number, string>;
  invitations: Map<number, { email: string; userId: number }>;
  mails: Map<number, { to: string; subject: string }>;
  /** OIDC client_id → the catalog item it signs in to. */
  appClients: Map<string, { itemId: number; name: string }>;
}

export const emptyNames = (): AuditNames => ({
  users: new Map(),
  requests: new Map(),
  items: new Map(),
  organizations: new Map(),
  idps: new Map(),
  apiClients: new Map(),
  invitations: new Map(),
  mails: new Map(),
  appClients: new Map(),
});

/** What a page of events refers to, for the name reads. */
export interface NameRefs {
  users: Set<number>;
  requests: Set<number>;
  items: Set<number>;
  organizations: Set<number>;
  idps: Set<string>;
  apiClients: Set<number>;
  invitations: Set<number>;
  mails: Set<number>;
  appClients: Set<string>;
}

export type EventRow = Pick<ChainedEvent, 'actor_type' | 'actor_id' | 'actor_label' | 'action' | 'target' | 'outcome' | 'details'>;

/** "request:12" → { kind: 'request', id: '12' }; a path or a bare word is kind ''. */
export function parseRef(ref: string | null): { kind: string; id: string } | null {
  if (!ref) return null;
  const m = /^([a-z_]+):(.+)$/.exec(ref);
  return m ? { kind: m[1], id: m[2] } : { kind: '', id: ref };
}

export const intId = (s: string | undefined): number | null => (s && /^\d{1,15}$/.test(s) ? Number(s) : null);

/** The user id in an actor id ("user:12 issuer|subject"), if it has one. */
export function actorUserId(actorId: string | null): number | null {
  const m = actorId ? /^user:(\d{1,15})(?:\s|$)/.exec(actorId) : null;
  return m ? Number(m[1]) : null;
}

export function parseDetails(details: string): Record<string, unknown> {
  try {
    const v = JSON.parse(details);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function nameRefs(rows: readonly EventRow[]): NameRefs {
  const refs: NameRefs = {
    users: new Set(),
    requests: new Set(),
    items: new Set(),
    organizations: new Set(),
    idps: new Set(),
    apiClients: new Set(),
    invitations: new Set(),
    mails: new Set(),
    appClients: new Set(),
  };
  for (const r of rows) {
    const actor = actorUserId(r.actor_id);
    if (actor) refs.users.add(actor);
    const api = r.actor_id ? /^api_client:(\d{1,15})$/.exec(r.actor_id) : null;
    if (api) refs.apiClients.add(Number(api[1]));
    const app = r.actor_id ? /^app:(.{1,200})$/.exec(r.actor_id) : null;
    if (app) refs.appClients.add(app[1]);
    const target = parseRef(r.target);
    if (!target) continue;
    const n = intId(target.id);
    if (target.kind === 'idp') refs.idps.add(target.id);
    if (n === null) continue;
    if (target.kind === 'user') refs.users.add(n);
    else if (target.kind === 'request') refs.requests.add(n);
    else if (target.kind === 'item') refs.items.add(n);
    else if (target.kind === 'organization') refs.organizations.add(n);
    else if (target.kind === 'api_client') refs.apiClients.add(n);
    else if (target.kind === 'invitation') refs.invitations.add(n);
    else if (target.kind === 'mail') refs.mails.add(n);
  }
  return refs;
}

