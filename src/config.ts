// The environment becomes one typed, validated object here; nothing else reads process.env.
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { parseSigningKey } from './domain/auditCheckpoint.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PUBLIC_URL: z
    .string()
    .url('must be an absolute URL such as http://127.0.0.1:3000')
    .default('http://127.0.0.1:3000')
    .transform((v) => v.replace(/\/+$/, '')),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .default('sqlite:var/passerelle.sqlite')
    .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), 'must start with sqlite: or postgres://'),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://'),
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_{}-]+$/i, 'letters, digits, : _ - { } only').default('passerelle'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters of random data').optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(600).default(120),
  SMTP_URL: z
    .string()
    .default('smtp://127.0.0.1:1025')
    .refine((v) => /^smtps?:\/\//.test(v), 'must start with smtp:// or smtps://'),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  MAIL_FROM: z.string().default('Passerelle <no-reply@passerelle.test>'),
  INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 14),
  TRUST_PROXY: z.string().default('false'),
  ALLOW_INSECURE_IDP: bool.optional(),
  IDP_PRIVATE_NETWORKS: z.enum(['allow', 'deny'], { message: 'must be allow or deny' }).optional(),
  IDP_ALLOWED_INTERNAL_HOSTS: z
    .string()
    .regex(/^\s*[a-z0-9.:[\]-]+(\s*,\s*[a-z0-9.:[\]-]+)*\s*$/i, 'host names separated by commas, such as idp.corp.internal,10.0.0.5')
    .optional(),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  RATE_LIMIT_SIGNIN_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  RATE_LIMIT_SUBMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),
  RATE_LIMIT_REDEEM_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  JOB_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(60_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  SWEEP_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
  // Fault injection for the fault tests only ("name=ms,name=ms"); refused outside NODE_ENV=test.
  // Moves the clock time-based work reads (src/domain/clock.ts) forward, for tests and the demo.
  CLOCK_OFFSET_MS: z.coerce.number().int().min(0).max(10 * 365 * 86_400_000).default(0),
  FAULTS: z.string().regex(/^([a-z.-]+=\d+)(,[a-z.-]+=\d+)*$/, 'name=milliseconds pairs separated by commas').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Ed25519 key the worker signs audit checkpoints with (src/domain/auditCheckpoint.ts for its forms).
  AUDIT_SIGNING_KEY: z.string().optional(),
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
  AUDIT_CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  AUDIT_CHECKPOINT_EVERY_MINUTES: z.coerce.number().positive().max(24 * 60).default(5),
  // Seals the OpenID Provider's private keys and the applications' client secrets in the database.
  OIDC_SECRET_KEY: z.string().min(32, 'must be at least 32 characters of random data').optional(),
  // How often a web process looks for signing keys added or retired by `passerelle keys rotate`.
  OIDC_KEYS_REFRESH_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
});

export type Config = {
  env: 'development' | 'test' | 'production';
  publicUrl: string;
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  sessionSecret: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  oidcClockToleranceSeconds: number;
  smtpUrl: string;
  smtpTimeoutMs: number;
  mailFrom: string;
  invitationTtlHours: number;
  trustProxy: string | boolean | number;
  allowInsecureIdp: boolean;
  /** Whether identity-provider fetches may reach loopback, private and link-local addresses, and which hosts may anyway. */
  idpNetwork: { privateNetworks: 'allow' | 'deny'; allowedInternalHosts: string[] };
  outboxPollMs: number;
  jobAttempts: number;
  jobBackoffMs: number;
  rateLimits: { signInPerMinute: number; submitPerMinute: number; redeemPerMinute: number; apiPerMinute: number };
  jobLockMs: number;
  sweepIntervalMs: number;
  sweepGraceMs: number;
  faults: Record<string, number>;
  clockOffsetMs: number;
  logLevel: string;
  secureCookies: boolean;
  audit: { signingKey: KeyObject | null; checkpointFile: string | null; checkpointEveryEvents: number; checkpointEveryMinutes: number };
  /** Passerelle as the applications' OpenID Provider (src/oidc). */
  oidc: { secretKey: string; keysRefreshMs: number };
};

export class ConfigError extends Error {}

const DEV_SECRET = 'passerelle-development-secret-do-not-use-in-production';
const DEV_OIDC_SECRET = 'passerelle-development-oidc-key-do-not-use-in-production';

function parseTrustProxy(v: string): string | boolean | number {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // a list of addresses or subnets, as Express understands it
}

/** The process environment: read here and nowhere else (the demo passes it on to its children). */
export function processEnvironment(): Record<string, string | undefined> {
  return process.env;
}

/** Reads the environment (or the overrides) and fails with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = processEnvironment()): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required in production (32+ random characters)');
  }
  if (production && e.SESSION_SECRET === DEV_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: the development default cannot be used in production');
  }
  if (production && !e.OIDC_SECRET_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  OIDC_SECRET_KEY: required in production (32+ random characters; it seals the sign-in keys and client secrets of the applications)',
    );
  }
  if (production && e.OIDC_SECRET_KEY === DEV_OIDC_SECRET) {
    throw new ConfigError('Invalid configuration:\n  OIDC_SECRET_KEY: the development default cannot be used in production');
  }
  if (e.CLOCK_OFFSET_MS && e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  CLOCK_OFFSET_MS: moving the clock is for tests and the demo, never production');
  }
  if (e.FAULTS && e.NODE_ENV !== 'test') {
    throw new ConfigError('Invalid configuration:\n  FAULTS: fault injection is only for NODE_ENV=test');
  }
  if (e.SMTP_TIMEOUT_MS * 3 >= e.JOB_LOCK_MS) {
    throw new ConfigError('Invalid configuration:\n  SMTP_TIMEOUT_MS: must stay well below JOB_LOCK_MS (a third at most)');
  }
  let signingKey: KeyObject | null = null;
  try {
    signingKey = e.AUDIT_SIGNING_KEY ? parseSigningKey(e.AUDIT_SIGNING_KEY) : null;
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  AUDIT_SIGNING_KEY: ${(err as Error).message}`);
  }
  const secure = e.PUBLIC_URL.startsWith('https://');
  if (production && !secure) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: must be https:// in production');
  }
  return {
    env: e.NODE_ENV,
    publicUrl: e.PUBLIC_URL,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    sessionSecret: e.SESSION_SECRET ?? DEV_SECRET,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS,
    oidcClockToleranceSeconds: e.OIDC_CLOCK_TOLERANCE_SECONDS,
    smtpUrl: e.SMTP_URL,
    smtpTimeoutMs: e.SMTP_TIMEOUT_MS,
    mailFrom: e.MAIL_FROM,
    invitationTtlHours: e.INVITATION_TTL_HOURS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    // Plain-http identity providers are only acceptable outside production (demo and tests).
    allowInsecureIdp: e.ALLOW_INSECURE_IDP ?? !production,
    // An admin's issuer URL must not turn the server into a proxy to its own network (the demo and
    // tests run their IdPs on 127.0.0.1, so only production refuses by default).
    idpNetwork: {
      privateNetworks: e.IDP_PRIVATE_NETWORKS ?? (production ? 'deny' : 'allow'),
      allowedInternalHosts: (e.IDP_ALLOWED_INTERNAL_HOSTS ?? '').toLowerCase().split(',').map((h) => h.trim().replace(/^\[(.*)\]$/, '$1')).filter(Boolean),
    },
    outboxPollMs: e.OUTBOX_POLL_MS,
    jobAttempts: e.JOB_ATTEMPTS,
    jobBackoffMs: e.JOB_BACKOFF_MS,
    rateLimits: {
      signInPerMinute: e.RATE_LIMIT_SIGNIN_PER_MINUTE,
      submitPerMinute: e.RATE_LIMIT_SUBMIT_PER_MINUTE,
      redeemPerMinute: e.RATE_LIMIT_REDEEM_PER_MINUTE,
      apiPerMinute: e.RATE_LIMIT_API_PER_MINUTE,
    },
    jobLockMs: e.JOB_LOCK_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    sweepGraceMs: e.SWEEP_GRACE_MS,
    clockOffsetMs: e.CLOCK_OFFSET_MS,
    faults: Object.fromEntries((e.FAULTS ?? '').split(',').filter(Boolean).map((p) => [p.split('=')[0], Number(p.split('=')[1])])),
    logLevel: e.LOG_LEVEL,
    secureCookies: secure,
    audit: {
      signingKey,
      checkpointFile: e.AUDIT_CHECKPOINT_FILE ?? null,
      checkpointEveryEvents: e.AUDIT_CHECKPOINT_EVERY_EVENTS,
      checkpointEveryMinutes: e.AUDIT_CHECKPOINT_EVERY_MINUTES,
    },
    oidc: { secretKey: e.OIDC_SECRET_KEY ?? DEV_OIDC_SECRET, keysRefreshMs: e.OIDC_KEYS_REFRESH_MS },
  };
}
