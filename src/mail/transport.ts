import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';

/** SMTP with timeouts well below the job lock, so a hung server fails the attempt instead of the lock. */
export function createTransport(config: Config): Transporter {
  const url = new URL(config.smtpUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A loopback catcher speaks no TLS; real servers upgrade with STARTTLS when they offer it.
    ignoreTLS: ['127.0.0.1', 'localhost', '::1'].includes(url.hostname),
    connectionTimeout: config.smtpTimeoutMs,
    greetingTimeout: config.smtpTimeoutMs,
    socketTimeout: config.smtpTimeoutMs,
  });
}
