import pino from 'pino';

// Keys whose values never reach the logs, wherever a log call puts them (top level or one level down).
const SECRET_KEYS = ['token', 'password', 'secret', 'client_secret', 'clientSecret', 'sessionSecret', 'cookie', 'authorization', '_csrf', 'csrfToken'];

export function createLogger(level: string, name: string) {
  return pino({
    name,
    level,
    // Never let a token, cookie or secret reach the logs.
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        ...SECRET_KEYS,
        ...SECRET_KEYS.map((k) => `*.${k}`),
      ],
      censor: '[redacted]',
    },
  });
}
