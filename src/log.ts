import pino from 'pino';

export function createLogger(level: string, name: string) {
  return pino({
    name,
    level,
    // Never let a token, cookie or secret reach the logs.
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.client_secret', '*.token', '*.password'], censor: '[redacted]' },
  });
}
