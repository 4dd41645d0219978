import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';

/** Messages sent at once: the send-mail jobs running together, one pooled connection each. */
export const MAIL_CONCURRENCY = 8;

/**
 * SMTP with timeouts well below the job lock, so a hung server fails the attempt instead of the lock.
 * Pooled: as many connections as send-mail jobs run at once, each reused for many messages, since
 * opening one (with the server's greeting delay) cost more than the message itself.
 */
export function createTransport(config: Config): Transporter {
  const url = new URL(config.smtpUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A loopback catcher speaks no TLS; real servers upgrade with STARTTLS when they offer it.
    ignoreTLS: ['127.0.0.1', 'localhost', '::1'].includes(url.hostname),
    pool: true,
    maxConnections: MAIL_CONCURRENCY,
    maxMessages: 500,
    connectionTimeout: config.smtpTimeoutMs,
    greetingTimeout: config.smtpTimeoutMs,
    socketTimeout: config.smtpTimeoutMs,
  });
}
