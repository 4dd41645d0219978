// A MailSpec (or a preview's sample values) in one language: the admin's subject and body if stored,
// else the catalog's, filled, then laid out as HTML and text.
import type { Branding } from '../db/branding.ts';
import type { Locale } from '../i18n/locales.ts';
import { catalogs, t } from '../i18n/t.ts';
import { TEMPLATES, type TemplateName } from './catalog.ts';
import { renderHtml, renderText, type MailParts } from './layout.ts';
import { fillMessage, type Values } from './message.ts';
import { decisionRows, decisionValues, oneLine, utcDateTime, type DecisionDetails, type MailSpec, type SpecValue } from './templates.ts';

export interface Wording {
  subject: string;
  body: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The catalog's words for a template in a language: the default an admin edits and restores. */
export function defaultWording(template: TemplateName, lang: Locale): Wording {
  const def = TEMPLATES[template];
  const pick = (key: string) => catalogs[lang][key] ?? catalogs.en[key] ?? key;
  return { subject: pick(def.subjectKey), body: pick(def.bodyKey) };
}

const valueIn = (v: SpecValue, lang: Locale) => (typeof v === 'function' ? v(lang) : v);

/** Fills the admin's wording; should it fail (a plural given no number), the catalog's. */
function fill(wording: Wording, fallback: Wording, lang: Locale, values: Values): Wording {
  try {
    return { subject: fillMessage(wording.subject, lang, values), body: fillMessage(wording.body, lang, values) };
  } catch {
    return { subject: fillMessage(fallback.subject, lang, values), body: fillMessage(fallback.body, lang, values) };
  }
}

export function renderMail(spec: Omit<MailSpec, 'dedupeKey' | 'kind' | 'reference' | 'to' | 'cc' | 'recipient'>, lang: Locale, branding: Branding, stored: Wording | null): RenderedMail {
  const values: Values = { company: branding.companyName };
  for (const [name, v] of Object.entries(spec.values)) values[name] = valueIn(v, lang);
  const fallback = defaultWording(spec.template, lang);
  const words = fill(stored ?? fallback, fallback, lang, values);
  const key = (k: string, params: Record<string, string | number> = {}) => t(`mailTemplates.${spec.template}.${k}`, params, lang);
  const parts: MailParts = {
    lang,
    branding,
    subject: oneLine(words.subject),
    body: words.body,
    quote: spec.quote ? { heading: t('mail.invite.personal', { sponsor: spec.quote.sponsor }, lang), text: spec.quote.text } : null,
    details: spec.details.map((d) => ({ label: t(d.label, {}, lang), value: String(valueIn(d.value, lang)) })),
    code: spec.code ? { label: t('mailTemplates.detail.code', {}, lang), value: spec.code } : null,
    action: spec.link ? { label: key('button'), href: spec.link, hint: t('mailTemplates.layout.linkHint', {}, lang) } : null,
    labelled: (label) => t('mailTemplates.layout.labelled', { label }, lang),
    footer: [key('why', { company: branding.companyName }), t('mailTemplates.layout.sentBy', { company: branding.companyName }, lang)],
  };
  return { subject: parts.subject, text: renderText(parts), html: renderHtml(parts) };
}

/** A template with its sample values, as the admin's preview shows it. */
export function renderSample(template: TemplateName, lang: Locale, branding: Branding, wording: Wording | null, publicUrl: string): RenderedMail {
  const def = TEMPLATES[template];
  const samples = def.placeholders;
  const sampleDetails: Record<TemplateName, string[]> = {
    invitation: ['items'],
    invitation_no_items: [],
    request_received: ['requester', 'organization', 'items', 'justification'],
    request_denied: ['items', 'reason'],
    access_granted: ['items'],
    access_added: ['items'],
    guest_left: ['items'],
    guest_left_sponsor: ['items'],
    one_time_code: [],
    redemption_reset: [],
    redemption_reset_moved: [],
    redemption_reset_sponsor: [],
    invitation_expired: [],
    expiry_notice: ['items'],
    expiry_notice_sponsor: ['items'],
    access_expired: ['items'],
    access_expired_sponsor: ['items'],
    access_extended: ['items'],
    guest_disabled_inactive: [],
    guest_disabled_inactive_sponsor: [],
    info_requested: ['items'],
    info_provided: ['requester'],
    review_assigned: [],
    review_reminder: [],
    request_reminder: ['requester', 'organization', 'items'],
    request_escalated: ['requester', 'organization', 'items'],
    request_expired: ['items'],
  };
  const detailValue: Record<string, string> = {
    requester: `${samples.name} <${samples.email}>`,
    organization: String(samples.organization ?? ''),
    items: String(samples.items ?? ''),
    justification: String(samples.justification ?? ''),
    reason: String(samples.reason ?? ''),
  };
  // A mail that follows a sponsor's decision shows one: a sample item approved, one denied, an end date.
  const decision: DecisionDetails | null =
    'approved' in samples ? { approved: [String(samples.approved)], denied: [String(samples.denied)], reason: String(samples.reason), accessUntil: '2026-12-31' } : null;
  return renderMail(
    {
      template,
      values: {
        ...Object.fromEntries(Object.entries(samples).filter(([k]) => k !== 'company')),
        // Dates as the preview's language writes them, like the real mails.
        ...('expires' in samples && { expires: utcDateTime('2026-12-12T14:05:00Z') }),
        ...decisionValues(decision),
      },
      details: decision ? decisionRows(decision) : sampleDetails[template].map((d) => ({ label: `mailTemplates.detail.${d}`, value: detailValue[d] ?? '' })),
      quote: template.startsWith('invitation') ? { sponsor: String(samples.sponsor), text: t('mailTemplates.sample.message', {}, lang) } : null,
      code: template === 'one_time_code' ? 'ABCDE-FGHIJ-KLMNO-PQRST-UVWXYZ' : null,
      link: def.samplePath ? `${publicUrl}${def.samplePath}` : null,
    },
    lang,
    branding,
    wording,
  );
}
