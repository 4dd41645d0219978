// The admins' pages for the mails: the list, one template per language (edit, preview, restore,
// switch off), and the company branding every mail carries.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { readBranding } from '../../../db/branding.ts';
import { disabledTemplates, findTemplate, isTemplateEnabled, listTemplates } from '../../../db/mailTemplates.ts';
import { saveBranding } from '../../../commands/admin/saveBranding.ts';
import { restoreMailTemplate, saveMailTemplate, setMailEnabled, checkWording, type WordingProblems } from '../../../commands/admin/mailTemplates.ts';
import { notFound } from '../../../domain/errors.ts';
import { isLocale, LOCALES, type Locale } from '../../../i18n/locales.ts';
import { isTemplateName, TEMPLATE_NAMES, TEMPLATES, type TemplateName } from '../../../mail/catalog.ts';
import { defaultWording, renderSample, type Wording } from '../../../mail/render.ts';
import { describeProblem } from '../../../mail/message.ts';
import { brandingForm } from '../../forms/branding.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

/**
 * The preview is the mail's own HTML, which only this product writes but which carries an admin's
 * words: it is served sandboxed (no script, no form, no same-origin) and may only be framed by us.
 */
const PREVIEW_CSP = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

function target(req: Request): { template: TemplateName; lang: Locale } {
  const { name, lang } = req.params;
  if (!isTemplateName(name) || !isLocale(lang)) throw notFound();
  return { template: name, lang };
}

const wordingOf = (body: unknown): Wording => {
  const b = (body ?? {}) as Record<string, unknown>;
  return { subject: typeof b.subject === 'string' ? b.subject : '', body: typeof b.body === 'string' ? b.body : '' };
};

export function mailTemplateRoutes(deps: Deps): Router {
  const r = Router();
  const { db, config } = deps;

  r.get('/admin/mail-templates', async (req, res) => {
    const stored = await listTemplates(db);
    const off = await disabledTemplates(db);
    const rows = TEMPLATE_NAMES.map((name) => ({
      name,
      mayDisable: TEMPLATES[name].mayDisable,
      enabled: !off.has(name),
      languages: LOCALES.map((lang) => ({ lang, edited: stored.some((s) => s.template === name && s.language === lang) })),
    }));
    render(req, res, 'admin/mail/list', { title: 'mailTemplates.title', rows, notice: typeof req.query.saved === 'string' && /^(saved|restored|enabled|disabled)$/.test(req.query.saved) ? { key: `mailTemplates.${req.query.saved}` } : null });
  });

  async function editPage(req: Request, res: Response, template: TemplateName, lang: Locale, extra: { values?: Wording; problems?: WordingProblems; notice?: string } = {}, status = 200) {
    const stored = await findTemplate(db, template, lang);
    const wording = stored ? { subject: stored.subject, body: stored.body } : defaultWording(template, lang);
    const sample = renderSample(template, lang, await readBranding(db), wording, config.publicUrl);
    const notice = extra.notice ?? (typeof req.query.saved === 'string' && /^(saved|restored|enabled|disabled)$/.test(req.query.saved) ? `mailTemplates.${req.query.saved}` : null);
    render(
      req,
      res,
      'admin/mail/edit',
      {
        title: 'mailTemplates.title',
        template,
        mailLang: lang,
        def: TEMPLATES[template],
        values: extra.values ?? wording,
        problems: Object.fromEntries(Object.entries(extra.problems ?? {}).map(([field, p]) => [field, describeProblem(p, res.locals.t)])),
        stored: stored ?? null,
        enabled: await isTemplateEnabled(db, template),
        sampleText: sample.text,
        languages: LOCALES,
        notice: notice ? { key: notice } : null,
      },
      status,
    );
  }

  r.get('/admin/mail-templates/:name/:lang', async (req, res) => {
    const { template, lang } = target(req);
    await editPage(req, res, template, lang);
  });

  r.post('/admin/mail-templates/:name/:lang', csrfProtection, async (req, res) => {
    const { template, lang } = target(req);
    const input = wordingOf(req.body);
    const problems = await saveMailTemplate(deps, auditContext(req), template, lang, input, principalOf(req)?.userId ?? null);
    if (Object.keys(problems).length) return editPage(req, res, template, lang, { values: input, problems, notice: 'errors.invalidForm' }, 400);
    res.redirect(303, `/admin/mail-templates/${template}/${lang}?saved=saved`);
  });

  r.post('/admin/mail-templates/:name/:lang/restore', csrfProtection, async (req, res) => {
    const { template, lang } = target(req);
    await restoreMailTemplate(deps, auditContext(req), template, lang);
    res.redirect(303, `/admin/mail-templates/${template}/${lang}?saved=restored`);
  });

  r.post('/admin/mail-templates/:name/:lang/enabled', csrfProtection, async (req, res) => {
    const { template, lang } = target(req);
    const enabled = req.body?.enabled === '1';
    await setMailEnabled(deps, auditContext(req), template, enabled);
    res.redirect(303, `/admin/mail-templates/${template}/${lang}?saved=${enabled ? 'enabled' : 'disabled'}`);
  });

  // GET: the saved wording; POST: what the admin typed, not stored. ?part=text: the text version.
  const preview = async (req: Request, res: Response, wording: Wording | null) => {
    const { template, lang } = target(req);
    res.setHeader('Content-Security-Policy', PREVIEW_CSP);
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    // A sandboxed frame has an opaque origin: asking to key it by origin only earns a console warning.
    res.removeHeader('Origin-Agent-Cluster');
    const branding = await readBranding(db);
    if (wording) {
      const problems = checkWording(template, lang, wording);
      const first = problems.subject ?? problems.body;
      if (first) {
        res.status(400).type('text/plain; charset=utf-8').send(describeProblem(first, res.locals.t));
        return;
      }
    }
    const stored = wording ?? (await findTemplate(db, template, lang)) ?? null;
    const mail = renderSample(template, lang, branding, stored, config.publicUrl);
    if (req.query.part === 'text') res.type('text/plain; charset=utf-8').send(`${mail.subject}\n\n${mail.text}`);
    else res.type('text/html; charset=utf-8').send(mail.html);
  };
  r.get('/admin/mail-templates/:name/:lang/preview', (req, res) => preview(req, res, null));
  r.post('/admin/mail-templates/:name/:lang/preview', csrfProtection, (req, res) => preview(req, res, wordingOf(req.body)));

  r.get('/admin/branding', async (req, res) => {
    const b = await readBranding(db);
    render(req, res, 'admin/mail/branding', {
      title: 'branding.title',
      values: { company_name: b.companyName, logo_url: b.logoUrl, color: b.color },
      notice: req.query.saved ? { key: 'branding.saved' } : null,
    });
  });
  r.post('/admin/branding', csrfProtection, async (req, res) => {
    const form = brandingForm(req.body);
    if (!form.value) {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const values = Object.fromEntries(['company_name', 'logo_url', 'color'].map((k) => [k, typeof b[k] === 'string' ? b[k] : '']));
      return render(req, res, 'admin/mail/branding', { title: 'branding.title', values, fields: form.fields, notice: { key: 'errors.invalidForm' } }, 400);
    }
    await saveBranding(deps, auditContext(req), form.value);
    res.redirect(303, '/admin/branding?saved=1');
  });
  return r;
}
