/**
 * A local SMTP sink for the demo and the tests: the portal sends real SMTP
 * through its normal mail path, and we capture, parse and show the messages
 * instead of delivering them.
 */
import { createServer, type Server } from 'node:http';
import { mailViewer } from './mailViewer.ts';
import type { CapturedMail } from './capturedMail.ts';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type { CapturedMail } from './capturedMail.ts';

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
    http = createServer((req, res) => mailViewer(req, res, () => captured));
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
