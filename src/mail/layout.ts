// The one HTML layout every system mail shares: tables and inline styles only (mail clients drop
// <style> and external CSS), the company's name, logo and colour, the words, the details that help
// the reader, one button, and a footer saying why the mail came. Every text that goes in is escaped
// here; the only markup is this file's. The text part says the same, each link on a line of its own.
import { escapeHtml } from '../html.ts';
import type { Branding } from '../db/branding.ts';
import type { Locale } from '../i18n/locales.ts';
import { textColorOn } from './color.ts';

export interface MailParts {
  lang: Locale;
  branding: Branding;
  subject: string;
  /** Plain text; blank lines separate paragraphs. */
  body: string;
  /** A personal message from whoever invited the reader, shown as a quote. */
  quote: { heading: string; text: string } | null;
  details: { label: string; value: string }[];
  /** A sign-in code, shown large. */
  code: { label: string; value: string } | null;
  action: { label: string; href: string; hint: string } | null;
  footer: string[];
  /** "{label}:" as the language writes it ("Motif :" in French). */
  labelled: (label: string) => string;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const INK = '#1f2328';
const MUTED = '#57606a';

const html = (s: string) => escapeHtml(s);
const lines = (s: string) => html(s).replace(/\r?\n/g, '<br>');

function paragraphs(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="margin:0 0 16px;${FONT}font-size:16px;line-height:1.5;color:${INK};">${lines(p)}</p>`)
    .join('\n');
}

const row = (content: string, style = 'padding:0 32px;') => `<tr><td style="${style}">${content}</td></tr>`;

export function renderHtml(p: MailParts): string {
  const { branding } = p;
  const color = branding.color;
  const logo = branding.logoUrl
    ? `<img src="${html(branding.logoUrl)}" alt="${html(branding.companyName)}" height="40" style="display:block;border:0;height:40px;max-height:40px;width:auto;margin:0 0 8px;">`
    : '';
  const header = `${logo}<div style="${FONT}font-size:18px;font-weight:bold;color:${INK};">${html(branding.companyName)}</div>`;
  const quote = p.quote
    ? row(
        `<p style="margin:0 0 8px;${FONT}font-size:14px;color:${MUTED};">${html(p.quote.heading)}</p>` +
          `<div style="margin:0 0 16px;padding:8px 16px;border-left:4px solid ${color};${FONT}font-size:16px;line-height:1.5;color:${INK};">${lines(p.quote.text)}</div>`,
      )
    : '';
  const details = p.details.length
    ? row(
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;border-collapse:collapse;">` +
          p.details
            .map(
              (d) =>
                `<tr><th scope="row" align="left" valign="top" style="padding:8px 12px 8px 0;border-top:1px solid #e5e7eb;${FONT}font-size:14px;font-weight:bold;color:${MUTED};width:35%;">${html(d.label)}</th>` +
                `<td valign="top" style="padding:8px 0;border-top:1px solid #e5e7eb;${FONT}font-size:14px;line-height:1.5;color:${INK};">${lines(d.value)}</td></tr>`,
            )
            .join('') +
          `</table>`,
      )
    : '';
  const code = p.code
    ? row(
        `<p style="margin:0 0 8px;${FONT}font-size:14px;color:${MUTED};">${html(p.code.label)}</p>` +
          `<p style="margin:0 0 16px;padding:12px 16px;background:#f4f5f7;border-radius:4px;font-family:Consolas,Menlo,monospace;font-size:20px;letter-spacing:1px;color:${INK};">${html(p.code.value)}</p>`,
      )
    : '';
  const action = p.action
    ? row(
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px;"><tr>` +
          `<td align="center" bgcolor="${color}" style="border-radius:4px;background:${color};">` +
          `<a href="${html(p.action.href)}" style="display:inline-block;padding:12px 24px;${FONT}font-size:16px;font-weight:bold;color:${textColorOn(color)};text-decoration:none;border-radius:4px;">${html(p.action.label)}</a>` +
          `</td></tr></table>` +
          `<p style="margin:0 0 16px;${FONT}font-size:13px;line-height:1.5;color:${MUTED};">${html(p.action.hint)}<br><a href="${html(p.action.href)}" style="color:${INK};word-break:break-all;">${html(p.action.href)}</a></p>`,
      )
    : '';
  return [
    `<!doctype html>`,
    `<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${html(p.subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f4f5f7;">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">`,
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border-top:6px solid ${color};border-radius:6px;">`,
    row(header, 'padding:24px 32px 8px;'),
    row(`<h1 style="margin:8px 0 16px;${FONT}font-size:20px;line-height:1.3;color:${INK};">${html(p.subject)}</h1>${paragraphs(p.body)}`),
    quote,
    details,
    code,
    action,
    row(
      p.footer.map((f) => `<p style="margin:0 0 4px;${FONT}font-size:12px;line-height:1.5;color:${MUTED};">${html(f)}</p>`).join(''),
      'padding:16px 32px 24px;border-top:1px solid #e5e7eb;',
    ),
    `</table>`,
    `</td></tr></table>`,
    `</body></html>`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderText(p: MailParts): string {
  const out: string[] = [p.body.trim()];
  if (p.quote) out.push(`${p.quote.heading}\n${p.quote.text}`);
  if (p.details.length) out.push(p.details.map((d) => `${p.labelled(d.label)}\n${d.value}`).join('\n\n'));
  if (p.code) out.push(`${p.code.label}\n\n${p.code.value}\n`);
  if (p.action) out.push(`${p.labelled(p.action.label)}\n${p.action.href}`);
  out.push(`-- \n${p.footer.join('\n')}`);
  return out.join('\n\n');
}
