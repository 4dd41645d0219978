// An admin's wording of a system mail per (template, language), the mails switched off, and the
// facts that decide a mail's language.
import type { Db, Tx } from './knex.ts';
import { isLocale, type Locale } from '../i18n/locales.ts';

export interface StoredTemplate {
  template: string;
  language: string;
  subject: string;
  body: string;
  updated_at: string;
  updated_by: number | null;
}

export async function findTemplate(db: Db | Tx, template: string, language: string): Promise<StoredTemplate | undefined> {
  return db<StoredTemplate>('mail_templates').where({ template, language }).first('template', 'language', 'subject', 'body', 'updated_at', 'updated_by');
}

export async function listTemplates(db: Db | Tx): Promise<StoredTemplate[]> {
  return db<StoredTemplate>('mail_templates').select('template', 'language', 'subject', 'body', 'updated_at', 'updated_by');
}

export async function upsertTemplate(trx: Tx, t: Pick<StoredTemplate, 'template' | 'language' | 'subject' | 'body' | 'updated_by'>): Promise<void> {
  const row = { ...t, updated_at: new Date().toISOString() };
  const n = await trx('mail_templates').where({ template: t.template, language: t.language }).update(row);
  if (!Number(n)) await trx('mail_templates').insert(row);
}

/** Back to the catalog's words; false when there was nothing to remove. */
export async function deleteTemplate(trx: Tx, template: string, language: string): Promise<boolean> {
  return Number(await trx('mail_templates').where({ template, language }).delete()) > 0;
}

/** The templates switched off (a template with no row is on). */
export async function disabledTemplates(db: Db | Tx): Promise<Set<string>> {
  const rows: { template: string }[] = await db('mail_switches').where({ enabled: false }).select('template');
  return new Set(rows.map((r) => r.template));
}

export async function isTemplateEnabled(db: Db | Tx, template: string): Promise<boolean> {
  const row = await db('mail_switches').where({ template }).first('enabled');
  return !row || Boolean(row.enabled);
}

export async function setTemplateEnabled(trx: Tx, template: string, enabled: boolean): Promise<void> {
  const row = { enabled, updated_at: new Date().toISOString() };
  const n = await trx('mail_switches').where({ template }).update(row);
  if (!Number(n)) await trx('mail_switches').insert({ template, ...row });
}

const asLocale = (v: unknown): Locale | null => {
  if (typeof v !== 'string') return null;
  const base = v.toLowerCase().split('-')[0];
  return isLocale(base) ? base : null;
};

/** Graph's messageLanguage ("fr-FR") as one of our languages, or null. */
export const languageOfTag = asLocale;

/**
 * A mail's language: the person's own choice (users.locale), else the language asked for their
 * invitation, else their partner organization's, else the organization's default.
 */
export async function recipientLanguage(
  db: Db | Tx,
  to: string,
  hint: { userId?: number | null; invitationId?: number | null; organizationId?: number | null },
): Promise<Locale> {
  const address = to.toLowerCase();
  const user = hint.userId
    ? await db('users').where({ id: hint.userId }).first('locale')
    : await db('users').where({ email: address }).whereNotNull('locale').first('locale'); // stored lower-case (db/users)
  const chosen = asLocale(user?.locale);
  if (chosen) return chosen;
  if (hint.invitationId) {
    const inv = await db('invitations').where({ id: hint.invitationId }).first('message_language');
    const asked = asLocale(inv?.message_language);
    if (asked) return asked;
  }
  const org = hint.organizationId
    ? await db('partner_organizations').where({ id: hint.organizationId }).first('language')
    : await db('partner_organizations as o')
        .join('organization_domains as d', 'd.organization_id', 'o.id')
        .where('d.domain', address.slice(address.lastIndexOf('@') + 1))
        .first('o.language');
  const ofOrg = asLocale(org?.language);
  if (ofOrg) return ofOrg;
  const setting = await db('settings').where({ key: 'default_language' }).first('value');
  return asLocale(setting?.value) ?? 'en';
}
