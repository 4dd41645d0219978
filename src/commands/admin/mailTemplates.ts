// An admin rewrites a system mail in one language, restores the default, or switches a mail off.
// Every change is audited in the same transaction as the write.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { deleteTemplate, findTemplate, isTemplateEnabled, setTemplateEnabled, upsertTemplate } from '../../db/mailTemplates.ts';
import { conflict } from '../../domain/errors.ts';
import type { Locale } from '../../i18n/locales.ts';
import { TEMPLATES, type TemplateName } from '../../mail/catalog.ts';
import { checkMessage, type MessageProblem } from '../../mail/message.ts';
import type { Wording } from '../../mail/render.ts';

export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

export type WordingProblems = Partial<Record<keyof Wording, MessageProblem>>;

/**
 * What is wrong with an admin's wording: empty, too long, a subject of more than one line (a header
 * must never gain a second line), a message that does not parse, or a placeholder the mail lacks.
 */
export function checkWording(template: TemplateName, lang: Locale, w: Wording): WordingProblems {
  const allowed = Object.keys(TEMPLATES[template].placeholders);
  const one = (value: string, max: number, extra: MessageProblem | null): MessageProblem | undefined => {
    if (!value.trim()) return { key: 'mailTemplates.error.required', params: {} };
    if (value.length > max) return { key: 'mailTemplates.error.tooLong', params: { max: String(max) } };
    return extra ?? checkMessage(value, lang, allowed) ?? undefined;
  };
  const problems: WordingProblems = {};
  const subject = one(w.subject, SUBJECT_MAX, /[\r\n]/.test(w.subject) ? { key: 'mailTemplates.error.oneLine', params: {} } : null);
  const body = one(w.body, BODY_MAX, null);
  if (subject) problems.subject = subject;
  if (body) problems.body = body;
  return problems;
}

/** Stores the wording, or returns its problems and stores nothing. */
export async function saveMailTemplate(deps: Deps, ctx: AuditContext, template: TemplateName, lang: Locale, input: Wording, by: number | null): Promise<WordingProblems> {
  const w = { subject: input.subject.trim(), body: input.body.replace(/\r\n?/g, '\n').trim() };
  const problems = checkWording(template, lang, w);
  if (Object.keys(problems).length) return problems;
  await inTransaction(deps.db, async (trx) => {
    const before = await findTemplate(trx, template, lang);
    await upsertTemplate(trx, { template, language: lang, subject: w.subject, body: w.body, updated_by: by });
    await appendAudit(trx, ctx, {
      action: 'mail_template.updated',
      target: `mail_template:${template}`,
      details: { language: lang, before: before ? { subject: before.subject, body: before.body } : 'default', after: w },
    });
  });
  return {};
}

/** Back to the catalog's wording; false when the wording was the default already. */
export async function restoreMailTemplate(deps: Deps, ctx: AuditContext, template: TemplateName, lang: Locale): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const before = await findTemplate(trx, template, lang);
    if (!before || !(await deleteTemplate(trx, template, lang))) return false;
    await appendAudit(trx, ctx, {
      action: 'mail_template.restored',
      target: `mail_template:${template}`,
      details: { language: lang, before: { subject: before.subject, body: before.body } },
    });
    return true;
  });
}

/** Switches a mail on or off; the mails sign-in needs are refused (409). */
export async function setMailEnabled(deps: Deps, ctx: AuditContext, template: TemplateName, enabled: boolean): Promise<void> {
  if (!TEMPLATES[template].mayDisable) throw conflict('mailTemplates.requiredHere');
  await inTransaction(deps.db, async (trx) => {
    if ((await isTemplateEnabled(trx, template)) === enabled) return;
    await setTemplateEnabled(trx, template, enabled);
    await appendAudit(trx, ctx, { action: enabled ? 'mail_template.enabled' : 'mail_template.disabled', target: `mail_template:${template}` });
  });
}
