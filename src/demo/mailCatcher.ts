/**
 * A local SMTP sink for the demo and the tests: the portal sends real SMTP
 * through its normal mail path, and we capture, parse and show the messages
 * instead of delivering them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface CapturedMail {
  id: number;
  /** The From header as written, e.g. `Passerelle <no-reply@example.test>`. */
  from: string;
  /** Lower-case addresses from the To header (envelope recipients if there is no To header). */
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  /** When the catcher received the message (ISO 8601). */
  date: string;
  /** Decoded header values by lower-case name; repeated headers are joined with newlines. */
  headers: Record<string, string>;
}

export interface MailCatcher {
  smtpPort: number;
  httpUrl: string | null;
  messages(): CapturedMail[];
  waitFor(predicate: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  clear(): void;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startMailCatcher(
  opts: { smtpPort?: number; httpPort?: number | null } = {},
): Promise<MailCatcher> {
  const captured: CapturedMail[] = [];
  let nextId = 1;
  const waiters = new Set<{ predicate: (m: CapturedMail) => boolean; resolve: (m: CapturedMail) => void; reject: (e: Error) => void }>();

  const store = (mail: CapturedMail) => {
    captured.push(mail);
    for (const waiter of waiters) {
      if (safeMatch(waiter.predicate, mail)) {
        waiters.delete(waiter);
        waiter.resolve(mail);
      }
    }
  };

  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) {
            return callback(Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 }));
          }
          store({
            id: nextId++,
            from: parsed.from?.text || envelopeFrom(session),
            to: addresses(parsed.to).length ? addresses(parsed.to) : envelopeTo(session),
            cc: addresses(parsed.cc),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
            date: new Date().toISOString(),
            headers: flattenHeaders(parsed.headers),
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  // Client-side errors (aborted connections etc.) must not crash the demo.
  smtp.on('error', (err) => console.error('[mail-catcher] SMTP error:', err.message));

  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(opts.smtpPort ?? 0, '127.0.0.1', () => {
      smtp.server.off('error', reject);
      resolve();
    });
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let http: Server | null = null;
  let httpUrl: string | null = null;
  const httpPort = opts.httpPort === undefined ? null : opts.httpPort;
  if (httpPort !== null) {
    http = createServer((req, res) => viewer(req, res, () => captured));
    try {
      await new Promise<void>((resolve, reject) => {
        http!.once('error', reject);
        http!.listen(httpPort, '127.0.0.1', () => {
          http!.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      throw err;
    }
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  let closed = false;
  return {
    smtpPort,
    httpUrl,
    messages: () => captured.slice(),
    clear: () => { captured.length = 0; },

    waitFor(predicate, timeoutMs = 10_000) {
      // Oldest match first, so repeated calls walk through messages in order.
      // Call clear() beforehand when an older message could also match.
      const already = captured.find((m) => safeMatch(predicate, m));
      if (already) return Promise.resolve(already);
      if (closed) return Promise.reject(new Error('The mail catcher is closed'));
      return new Promise<CapturedMail>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (m: CapturedMail) => { clearTimeout(timer); resolve(m); },
          reject: (e: Error) => { clearTimeout(timer); reject(e); },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = captured.map((m) => `"${m.subject}" to ${m.to.join(', ') || '(nobody)'}`);
          reject(new Error(
            `No matching e-mail arrived within ${timeoutMs} ms. ` +
            (seen.length ? `Received ${seen.length}: ${seen.join('; ')}` : 'No e-mail was received at all.'),
          ));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiters) waiter.reject(new Error('The mail catcher was closed while waiting for an e-mail'));
      waiters.clear();
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        http && new Promise<void>((resolve) => {
          http!.close(() => resolve());
          http!.closeAllConnections();
        }),
      ]);
    },
  };
}

// A throwing predicate should fail the one waiter, not the SMTP transaction.
function safeMatch(predicate: (m: CapturedMail) => boolean, mail: CapturedMail): boolean {
  try {
    return predicate(mail);
  } catch {
    return false;
  }
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.address) out.push(entry.address.toLowerCase());
      if (entry.group) visit(entry.group);
    }
  };
  for (const obj of field === undefined ? [] : Array.isArray(field) ? field : [field]) visit(obj.value);
  return out;
}

function envelopeFrom(session: SMTPServerSession): string {
  return session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
}

function envelopeTo(session: SMTPServerSession): string[] {
  return session.envelope.rcptTo.map((r) => r.address.toLowerCase());
}

function flattenHeaders(headers: Map<string, HeaderValue>): Record<string, string> {
  const show = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map(show).join('\n');
    if (value && typeof value === 'object') {
      if ('text' in value) return String(value.text); // address header
      if ('value' in value && 'params' in value) {
        // Content-Type and friends
        const params = Object.entries(value.params as Record<string, string>).map(([k, v]) => `; ${k}=${v}`).join('');
        return `${String(value.value)}${params}`;
      }
      // Combined List-* headers: { unsubscribe: { url, mail }, ... }
      return Object.entries(value).map(([k, v]) => `${k}: ${Object.values(v as object).join(' ')}`).join('\n');
    }
    return String(value);
  };
  return Object.fromEntries([...headers].map(([name, value]) => [name, show(value)]));
}

// ---------------------------------------------------------------------------
// HTTP viewer: server-rendered, no JavaScript
// ---------------------------------------------------------------------------

// The viewer shows untrusted HTML (the e-mails) in a sandboxed srcdoc frame,
// which inherits this policy: no scripts, no remote images, no forms.
const VIEWER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

function viewer(req: IncomingMessage, res: ServerResponse, list: () => CapturedMail[]): void {
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

function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
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
