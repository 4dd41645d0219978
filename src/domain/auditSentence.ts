// An audit event as one line in plain words, in the reader's language: "Sam Sponsor approved Paula
// Partner’s request #1 for Partner Wiki". The actor and the target are parts of their own, with the
// page they link to where there is one; the names come from AuditNames, read for a whole page at once
// (db/audit.ts: auditNames). An action this file does not know still reads as a sentence, naming it.
import { hasMessage, t, type Params } from '../i18n/t.ts';
import type { Locale } from '../i18n/locales.ts';
import type { ChainedEvent } from './auditChain.ts';

/** Every action the code writes, by area, in the order the filter lists them. */
export const AUDIT_AREAS: readonly { area: string; actions: readonly string[] }[] = [
  { area: 'requests', actions: ['request.submitted', 'request.auto_approved', 'request.routed', 'request.rerouted', 'request.approved', 'request.denied', 'request.provisioned', 'request.accepted', 'request.decide', 'request.view', 'request.read'] },
  { area: 'invitations', actions: ['invitation.created', 'invitation.resent', 'invitation.redeemed', 'invitation.batch_started', 'invitation.batch_read'] },
  {
    area: 'guests',
    actions: [
      'guest.created', 'guest.reinstated', 'guest.updated', 'guest.disabled', 'guest.enabled', 'guest.removed', 'guest.redemption_reset',
      'guest.sponsor_added', 'guest.sponsor_removed', 'membership.granted', 'membership.removed', 'membership.expired',
      'member.created', 'member.identity_bound', 'admin.granted',
    ],
  },
  { area: 'signIn', actions: ['auth.signed_in', 'auth.sign_in', 'auth.signed_out', 'auth.session_ended', 'auth.code_requested', 'auth.code_used', 'csrf', 'rate_limit'] },
  {
    area: 'applications',
    actions: ['app.sign_in', 'app.consent_given', 'app.consent_declined', 'app.consent_withdrawn', 'app.tokens_revoked', 'app.backchannel_logout', 'app_client.created', 'app_client.updated', 'app_client.secret_rotated'],
  },
  { area: 'catalog', actions: ['catalog.item_created', 'catalog.item_updated', 'item.manage'] },
  { area: 'organizations', actions: ['organization.created', 'organization.updated', 'idp.created', 'idp.updated', 'idp.enabled', 'idp.disabled', 'idp.tested', 'oidc.key_created', 'oidc.key_rotated'] },
  { area: 'apiClients', actions: ['api_client.created', 'api_client.revoked', 'api.authenticate', 'api.authorize'] },
  { area: 'settings', actions: ['settings.updated'] },
  { area: 'audit', actions: ['audit.verify_requested', 'audit.verified', 'audit.exported'] },
  { area: 'mail', actions: ['mail.sent', 'mail.failed', 'mail.cancelled', 'job.retried'] },
];

export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_AREAS.flatMap((a) => a.actions));

/** The names a page of events refers to, read once for the page. */
export interface AuditNames {
  users: Map<number, { name: string; email: string; guest: boolean }>;
  requests: Map<number, { owner: string; items: string[] }>;
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

type EventRow = Pick<ChainedEvent, 'actor_type' | 'actor_id' | 'actor_label' | 'action' | 'target' | 'outcome' | 'details'>;

/** "request:12" → { kind: 'request', id: '12' }; a path or a bare word is kind ''. */
export function parseRef(ref: string | null): { kind: string; id: string } | null {
  if (!ref) return null;
  const m = /^([a-z_]+):(.+)$/.exec(ref);
  return m ? { kind: m[1], id: m[2] } : { kind: '', id: ref };
}

const intId = (s: string | undefined): number | null => (s && /^\d{1,15}$/.test(s) ? Number(s) : null);

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

/** A piece of the sentence: plain text, or the actor or target with the page it links to. */
export interface SentencePart {
  text: string;
  href?: string;
  role?: 'actor' | 'target';
}

const MARK = { actor: '\uE000a\uE001', target: '\uE000t\uE001' };
const MARKS = /\uE000([at])\uE001/;
const clean = (s: string) => s.replace(/[\uE000\uE001]/g, '');

/** Asked without t, which would count a probe for an optional key as a missing message. */
const has = (key: string): boolean => hasMessage(key);

function list(values: unknown, lang: Locale): string {
  const names = (Array.isArray(values) ? values : []).filter((v): v is string => typeof v === 'string').map(clean);
  return new Intl.ListFormat(lang === 'fr' ? 'fr' : 'en', { style: 'long', type: 'conjunction' }).format(names);
}

function describeActor(r: EventRow, names: AuditNames, lang: Locale): SentencePart {
  const userId = actorUserId(r.actor_id);
  if (r.actor_type === 'user') {
    const u = userId ? names.users.get(userId) : undefined;
    if (u) return { text: clean(u.name), href: u.guest ? `/admin/guests/${userId}` : undefined, role: 'actor' };
    return { text: clean(r.actor_label ?? t('auditLog.actor.unnamed', {}, lang)), role: 'actor' };
  }
  if (r.actor_type === 'api') {
    const api = r.actor_id ? /^api_client:(\d{1,15})$/.exec(r.actor_id) : null;
    if (api) return { text: clean(names.apiClients.get(Number(api[1])) ?? r.actor_label ?? r.actor_id!), href: '/admin/api-clients', role: 'actor' };
    const app = r.actor_id ? /^app:(.+)$/.exec(r.actor_id) : null;
    const client = app ? names.appClients.get(app[1]) : undefined;
    if (client) return { text: clean(client.name), href: `/admin/catalog/${client.itemId}/sign-in`, role: 'actor' };
    return { text: clean(r.actor_label ?? r.actor_id ?? t('auditLog.actor.unnamed', {}, lang)), role: 'actor' };
  }
  if (r.actor_type === 'system') {
    const which = r.actor_id?.replace(/^system:/, '') ?? '';
    const key = ({ cli: 'auditLog.actor.cli', seed: 'auditLog.actor.demo', demo: 'auditLog.actor.demo', policy: 'auditLog.actor.policy' } as Record<string, string>)[which] ?? 'auditLog.actor.system';
    return { text: t(key, {}, lang), role: 'actor' };
  }
  return { text: t('auditLog.actor.anonymous', {}, lang), role: 'actor' };
}

function describeTarget(r: EventRow, names: AuditNames, lang: Locale): SentencePart | null {
  const ref = parseRef(r.target);
  if (!ref) return null;
  const n = intId(ref.id);
  const part = (text: string, href?: string): SentencePart => ({ text: clean(text), href, role: 'target' });
  switch (ref.kind) {
    case 'user': {
      const u = n ? names.users.get(n) : undefined;
      return u ? part(u.name, u.guest ? `/admin/guests/${n}` : undefined) : part(t('auditLog.target.user', { id: ref.id }, lang));
    }
    case 'request':
      return part(t('auditLog.target.request', { id: ref.id }, lang), n ? `/inbox/${n}` : undefined);
    case 'item': {
      const item = n ? names.items.get(n) : undefined;
      const href = n ? (r.action.startsWith('app_client.') || r.action.startsWith('app.') ? `/admin/catalog/${n}/sign-in` : `/admin/catalog/${n}`) : undefined;
      return part(item?.name ?? t('auditLog.target.item', { id: ref.id }, lang), item ? href : undefined);
    }
    case 'organization': {
      const name = n ? names.organizations.get(n) : undefined;
      return part(name ?? t('auditLog.target.organization', { id: ref.id }, lang), name ? `/admin/organizations/${n}` : undefined);
    }
    case 'idp': {
      const idp = names.idps.get(ref.id);
      return part(idp?.name ?? ref.id, idp?.page ? `/admin/idps/${idp.id}` : undefined);
    }
    case 'api_client': {
      const name = n ? names.apiClients.get(n) : undefined;
      return part(name ?? t('auditLog.target.apiClient', { id: ref.id }, lang), '/admin/api-clients');
    }
    case 'invitation': {
      const inv = n ? names.invitations.get(n) : undefined;
      return inv ? part(t('auditLog.target.invitation', { email: clean(inv.email) }, lang), `/admin/guests/${inv.userId}`) : part(t('auditLog.target.invitationId', { id: ref.id }, lang));
    }
    case 'mail': {
      const mail = n ? names.mails.get(n) : undefined;
      return part(mail ? t('auditLog.target.mail', { subject: clean(mail.subject), to: clean(mail.to) }, lang) : t('auditLog.target.mailId', { id: ref.id }, lang), '/admin/queues');
    }
    case 'batch':
      return part(t('auditLog.target.batch', { id: ref.id }, lang), n ? `/invitations/batches/${n}` : undefined);
    case 'job': {
      const [queue, ...id] = ref.id.split(':');
      return part(t('auditLog.target.job', { queue, id: id.join(':') }, lang), '/admin/queues');
    }
    case 'key':
      return part(t('auditLog.target.key', { id: ref.id }, lang));
    case 'verification':
      return part(t('auditLog.target.verification', { id: ref.id }, lang));
    case 'email':
    case 'limit':
      return part(ref.id);
    default:
      return r.target === 'settings' ? part(t('auditLog.target.settings', {}, lang), '/admin/settings') : part(r.target!);
  }
}

/** The values a sentence may name besides the actor and the target, from the event and its details. */
function sentenceParams(r: EventRow, names: AuditNames, lang: Locale): Params {
  const d = parseDetails(r.details);
  const ref = parseRef(r.target);
  const request = ref?.kind === 'request' && intId(ref.id) ? names.requests.get(Number(ref.id)) : undefined;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? clean(String(v)) : '');
  const filter = d.filter && typeof d.filter === 'object' ? Object.keys(d.filter as object).length : 0;
  return {
    owner: request ? clean(request.owner) : t('auditLog.someone', {}, lang),
    items: request?.items.length ? list(request.items, lang) : Array.isArray(d.items) ? list(d.items, lang) : str(d.item) || t('auditLog.someItems', {}, lang),
    item: str(d.item),
    organization: str(d.organization),
    approvers: Array.isArray(d.approvers) && d.approvers.length ? list(d.approvers, lang) : t('auditLog.nobody', {}, lang),
    sponsor: str(d.sponsor),
    rows: typeof d.rows === 'number' ? d.rows : 0,
    reason: str(d.reason),
    format: str(d.format).toUpperCase(),
    filters: filter,
    events: typeof d.events === 'number' ? d.events : 0,
    badSeq: str(d.badSeq),
    action: r.action,
    email: str(d.email),
  };
}

/**
 * The sentence for one event. Keys are tried from the most particular: this action with this outcome,
 * then the action; an action refused (outcome denied) with no sentence of its own reads as a refusal;
 * anything else as "did ‹action›".
 */
export function auditSentence(r: EventRow, names: AuditNames, lang: Locale): SentencePart[] {
  const actor = describeActor(r, names, lang);
  const target = describeTarget(r, names, lang);
  const base = `auditLog.s.${r.action}`;
  const candidates = [`${base}.${r.outcome}`, base];
  if (r.outcome === 'denied') candidates.push('auditLog.s.refused');
  else if (r.outcome === 'failure') candidates.push('auditLog.s.failed');
  candidates.push('auditLog.s.generic');
  const withTarget = candidates.flatMap((k) => (target ? [k] : [`${k}.noTarget`, k]));
  const key = withTarget.find((k) => has(k)) ?? 'auditLog.s.generic';
  const text = t(key, { ...sentenceParams(r, names, lang), actor: MARK.actor, target: MARK.target }, lang);
  const parts: SentencePart[] = [];
  const pieces = text.split(MARKS);
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) {
      if (pieces[i]) parts.push({ text: pieces[i] });
    } else {
      const p = pieces[i] === 'a' ? actor : target;
      if (p) parts.push(p);
    }
  }
  return parts;
}

export function sentenceText(parts: readonly SentencePart[]): string {
  return parts.map((p) => p.text).join('');
}

/** The label of an action in the filter's list: its own, else the action itself. */
export function actionLabel(action: string, lang: Locale): string {
  const key = `auditLog.a.${action}`;
  return has(key) ? t(key, {}, lang) : action;
}
