// The mail catcher's pages: an inbox and one page per message, server-rendered, no JavaScript.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml as esc } from '../html.ts';
import type { CapturedMail } from './capturedMail.ts';


// The viewer shows untrusted HTML (the e-mails) in a sandboxed srcdoc frame,
// which inherits this policy: no scripts, no remote images, no forms.
const VIEWER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export function mailViewer(req: IncomingMessage, res: ServerResponse, list: () => CapturedMail[]): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method not allowed', '<h1>Method not allowed</h1>');
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/') return send(res, 200, 'Mail catcher', inboxHtml(list()));
  const match = /^\/messages\/(\d+)$/.exec(path);
  const mail = match ? list().find((m) => m.id === Number(match[1])) : undefined;
  if (mail) return send(res, 200, `${mail.subject || '(no subject)'} · Mail catcher`, messageHtml(mail));
  return send(res, 404, 'Not found · Mail catcher',
    '<h1>Message not found</h1><p>It may have been cleared, or the catcher was restarted.</p><p><a href="/">Back to the inbox</a></p>');
}

function inboxHtml(mails: CapturedMail[]): string {
  if (!mails.length) {
    return '<h1>Inbox</h1><p class="empty">No e-mail yet. Messages sent to this catcher appear here; <a href="/">refresh</a> to check again.</p>';
  }
  const rows = mails.slice().reverse().map((m) => `<tr>
  <td><time datetime="${esc(m.date)}">${esc(formatTime(m.date))}</time></td>
  <td>${esc(m.from)}</td>
  <td>${esc(m.to.join(', '))}</td>
  <td><a href="/messages/${m.id}">${esc(m.subject || '(no subject)')}</a></td>
</tr>`).join('\n');
  return `<h1>Inbox <span class="count">${mails.length}</span></h1>
<p><a href="/">Refresh</a></p>
<table>
<caption class="visually-hidden">Captured e-mails, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function messageHtml(m: CapturedMail): string {
  const headerRows = Object.entries(m.headers)
    .map(([name, value]) => `<tr><th scope="row">${esc(name)}</th><td>${esc(value)}</td></tr>`)
    .join('\n');
  const htmlPart = m.html === null ? '' : `<h2>HTML body</h2>
<iframe sandbox srcdoc="${esc(m.html)}" title="HTML body of the e-mail"></iframe>`;
  return `<p><a href="/">&larr; Inbox</a></p>
<h1>${esc(m.subject || '(no subject)')}</h1>
<dl class="summary">
  <dt>From</dt><dd>${esc(m.from)}</dd>
  <dt>To</dt><dd>${esc(m.to.join(', '))}</dd>
  ${m.cc.length ? `<dt>Cc</dt><dd>${esc(m.cc.join(', '))}</dd>` : ''}
  <dt>Received</dt><dd><time datetime="${esc(m.date)}">${esc(formatTime(m.date))}</time></dd>
</dl>
<h2>Text body</h2>
<pre>${esc(m.text)}</pre>
${htmlPart}
<details>
<summary>All headers</summary>
<table class="headers">
${headerRows}
</table>
</details>`;
}

function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; background: #f4f6f9; }
  body { margin: 0; }
  header { background: #1d2b45; color: #fff; padding: .8rem 1.5rem; font-weight: 600; }
  header a { color: inherit; text-decoration: none; }
  main { max-width: 64rem; margin: 1.5rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin-top: 1.75rem; }
  .count { font-size: .8rem; vertical-align: middle; background: #dfe5ef; border-radius: 999px; padding: .1rem .55rem; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: .5rem .7rem; border-bottom: 1px solid #e1e5ec; vertical-align: top; }
  thead th { background: #e9edf3; font-size: .85rem; }
  .headers th { width: 12rem; font-weight: 600; color: #4a5568; }
  .headers td { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; font-size: .85rem; }
  dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: #fff; padding: 1rem; border-radius: 6px; }
  dt { font-weight: 600; color: #4a5568; } dd { margin: 0; }
  pre { white-space: pre-wrap; word-break: break-word; background: #fff; padding: 1rem; border-radius: 6px; border: 1px solid #e1e5ec; }
  iframe { width: 100%; height: 32rem; border: 1px solid #e1e5ec; border-radius: 6px; background: #fff; }
  details { margin-top: 1.75rem; } summary { cursor: pointer; font-weight: 600; }
  a { color: #1f5fd1; }
  .empty { color: #4a5568; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', VIEWER_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><a href="/">Passerelle · Mail catcher</a></header>
<main>
${body}
</main>
</body>
</html>
`);
}
