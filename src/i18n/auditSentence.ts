// An audit event as one line in plain words, in the reader's language: "Sam Sponsor approved Paula
// Partner’s request #1 for Partner Wiki". The actor and the target are parts of their own, with the
// page they link to where there is one; the names come from AuditNames, read for a whole page at once
// (db/audit.ts: auditNames). An action this file does not know still reads as a sentence, naming it.
import { hasMessage, t, type Params } from './t.ts';
import type { Locale } from './locales.ts';
import { actorUserId, intId, parseDetails, parseRef, type AuditNames, type EventRow } from '../domain/auditActions.ts';

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
    // Not yet a user (a partner asking for the first time): named as on her request, if it is hers.
    const ref = parseRef(r.target);
    const request = ref?.kind === 'request' && intId(ref.id) ? names.requests.get(Number(ref.id)) : undefined;
    if (request && r.actor_label && r.actor_label.toLowerCase() === request.ownerEmail) return { text: clean(request.owner), role: 'actor' };
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
    case 'review':
      return part(t('auditLog.target.review', { id: ref.id }, lang), n ? `/admin/reviews/${n}` : undefined);
    case 'batch':
      return part(t('auditLog.target.batch', { id: ref.id }, lang), n ? `/invitations/batches/${n}` : undefined);
    case 'job': {
      const [queue, ...id] = ref.id.split(':');
      return part(t('auditLog.target.job', { queue, id: id.join(':') }, lang), '/admin/queues');
    }
    case 'mail_template': {
      const language = parseDetails(r.details).language;
      const href = typeof language === 'string' && /^[a-z]{2}$/.test(language) ? `/admin/mail-templates/${encodeURIComponent(ref.id)}/${language}` : '/admin/mail-templates';
      return part(t('auditLog.target.mailTemplate', { name: ref.id }, lang), href);
    }
    case 'settings':
      return ref.id === 'branding' ? part(t('auditLog.target.branding', {}, lang), '/admin/branding') : part(t('auditLog.target.settings', {}, lang), '/admin/settings');
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
  const changes = (d.changes && typeof d.changes === 'object' ? d.changes : {}) as Record<string, unknown>;
  const before = (field: string) => (Array.isArray(changes[field]) ? str((changes[field] as unknown[])[0]) : '');
  const after = (field: string) => (Array.isArray(changes[field]) ? str((changes[field] as unknown[])[1]) : '');
  return {
    owner: request ? clean(request.owner) : t('auditLog.someone', {}, lang),
    // A decision names what it approved (all of the request, or some of it) and what it denied.
    items: Array.isArray(d.approvedItems) && d.approvedItems.length
      ? list(d.approvedItems, lang)
      : request?.items.length ? list(request.items, lang) : Array.isArray(d.items) ? list(d.items, lang) : str(d.item) || t('auditLog.someItems', {}, lang),
    denied: Array.isArray(d.deniedItems) ? list(d.deniedItems, lang) : '',
    language: ['en', 'fr'].includes(after('locale')) ? t(`language.${after('locale')}`, {}, lang) : t('auditLog.languageDefault', {}, lang),
    previousName: before('display_name'),
    displayName: str(d.displayName),
    templateLanguage: str(d.language),
    item: str(d.item),
    organization: str(d.organization),
    approvers: Array.isArray(d.approvers) && d.approvers.length ? list(d.approvers, lang) : t('auditLog.nobody', {}, lang),
    sponsor: str(d.sponsor),
    rows: typeof d.rows === 'number' ? d.rows : 0,
    reason: str(d.reason),
    format: str(d.format).toUpperCase(),
    filters: filter,
    events: typeof d.events === 'number' ? d.events : 0,
    days: typeof d.days === 'number' ? d.days : 0,
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
  const d = parseDetails(r.details);
  // An approval of some items of a request, the others denied, says both.
  const partial = r.action === 'request.approved' && Array.isArray(d.deniedItems) && d.deniedItems.length > 0;
  const candidates = [...(partial ? [`${base}.partial`] : []), `${base}.${r.outcome}`, base];
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
