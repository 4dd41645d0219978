// Queues a system mail in the caller's transaction: unless an admin switched it off, in the
// recipient's language, in the admin's words for that language (else the catalog's), with the
// company's branding. What is stored is what leaves, but for the secrets the mail worker mints.
import type { Tx } from '../db/knex.ts';
import { queueMail } from '../db/mail.ts';
import { readBranding } from '../db/branding.ts';
import { findTemplate, isTemplateEnabled, recipientLanguage } from '../db/mailTemplates.ts';
import { TEMPLATES } from './catalog.ts';
import { renderMail } from './render.ts';
import type { MailSpec } from './templates.ts';

/** The queued message's id, or null when the mail is switched off. */
export async function queueSystemMail(trx: Tx, spec: MailSpec): Promise<{ id: number; created: boolean } | null> {
  if (TEMPLATES[spec.template].mayDisable && !(await isTemplateEnabled(trx, spec.template))) return null;
  const lang = spec.recipient.lang ?? (await recipientLanguage(trx, spec.to, spec.recipient));
  const branding = await readBranding(trx);
  const stored = await findTemplate(trx, spec.template, lang);
  const mail = renderMail(spec, lang, branding, stored ?? null);
  return queueMail(trx, { dedupeKey: spec.dedupeKey, kind: spec.kind, reference: spec.reference, to: spec.to, cc: spec.cc, ...mail });
}
