import { z } from 'zod';
import { parseSmtpUrl, senderDomain } from '../src/providers/mail/mail-transport.js';
import type { RedisTarget } from '../src/store/redis.js';

const csv = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const organizerTokens = z
  .string()
  .transform(csv)
  .pipe(z.array(z.string().min(16, 'each token needs at least 16 characters')).min(1, 'needs at least one token'));

const signingKeys = z
  .string()
  .transform(csv)
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}:.{32,}$/, 'each entry is keyId:secret with a secret of at least 32 characters')
          .transform((entry) => {
            const at = entry.indexOf(':');
            return { id: entry.slice(0, at), secret: entry.slice(at + 1) };
          }),
      )
      .min(1, 'needs at least one keyId:secret'),
  )
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = z.coerce.number().int().min(0).max(65535);

/** `host:port,host:port`; an IPv6 host in brackets (`[::1]:26379`). */
const sentinelList = z
  .string()
  .optional()
  .transform((v) => (v === undefined ? [] : csv(v)))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'each entry is host:port')
        .transform((entry) => {
          const at = entry.lastIndexOf(':');
          return { host: entry.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(entry.slice(at + 1)) };
        })
        .refine((s) => s.port > 0 && s.port <= 65535, 'each port is 1 to 65535'),
    ),
  );

/** Checked with the transport's own parser, so what starts is what the worker can connect to. */
const smtpUrl = optionalString.superRefine((value, ctx) => {
  if (value === undefined) return;
  try {
    parseSmtpUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});
const mailFrom = optionalString.superRefine((value, ctx) => {
  if (value === undefined) return;
  try {
    senderDomain(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** The operator contract's environment (see README "Configuration"), parsed once at boot. */
export const envSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_BASE_URL: httpUrl.default('http://localhost:3000').transform((u) => u.replace(/\/+$/, '')),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
    REDIS_PASSWORD: optionalString,
    REDIS_SENTINELS: sentinelList,
    REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ . -').default('mymaster'),
    REDIS_SENTINEL_PASSWORD: optionalString,
    REDIS_WAIT_REPLICAS: optionalString.pipe(z.coerce.number<string | undefined>({ error: 'must be a whole number from 0 to 16' }).int().min(0).max(16).optional()),
    REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(1000),
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(24 * 60 * 60).default(300),
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1 to 32 characters of A-Z, a-z, 0-9, _ . -').default('ao'),
    ROLE: z.enum(['api', 'worker', 'all']).default('all'),
    ORGANIZER_TOKENS: organizerTokens.optional(),
    LINK_SIGNING_KEYS: signingKeys,
    PROGRAMME_FILE: optionalString,
    BBB_URL: optionalString.pipe(httpUrl.optional()),
    BBB_SECRET: optionalString,
    BBB_CHECKSUM_ALGORITHM: z.enum(['sha1', 'sha256', 'sha384', 'sha512']).default('sha256'),
    BBB_WARMUP_LEAD_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(10),
    ZOOM_ACCOUNT_ID: optionalString,
    ZOOM_CLIENT_ID: optionalString,
    ZOOM_CLIENT_SECRET: optionalString,
    ZOOM_USER_ID: z.string().min(1).default('me'),
    ZOOM_API_URL: httpUrl.default('https://api.zoom.us/v2').transform((u) => u.replace(/\/+$/, '')),
    ZOOM_OAUTH_URL: httpUrl.default('https://zoom.us').transform((u) => u.replace(/\/+$/, '')),
    ZOOM_WEBHOOK_SECRET_TOKEN: optionalString,
    ZOOM_PLAN: z.enum(['free', 'pro', 'business']).default('pro'),
    METRICS_TOKEN: optionalString,
    SMTP_URL: smtpUrl,
    MAIL_FROM: mailFrom,
    MAIL_MAX_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(5),
    MAIL_UPDATE_DELAY_SECONDS: z.coerce.number().int().min(0).max(24 * 60 * 60).default(300),
    ATTENDANCE_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.ROLE !== 'worker' && env.ORGANIZER_TOKENS === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ORGANIZER_TOKENS'], message: 'is required when ROLE is api or all' });
    }
    if ((env.BBB_URL === undefined) !== (env.BBB_SECRET === undefined)) {
      const missing = env.BBB_URL === undefined ? 'BBB_URL' : 'BBB_SECRET';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when the other BigBlueButton variable is set' });
    }
    if (env.SMTP_URL !== undefined && env.MAIL_FROM === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required when SMTP_URL is set' });
    }
    const zoom = [env.ZOOM_ACCOUNT_ID, env.ZOOM_CLIENT_ID, env.ZOOM_CLIENT_SECRET];
    if (zoom.some((v) => v !== undefined) && zoom.some((v) => v === undefined)) {
      const names = ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'] as const;
      const missing = names[zoom.findIndex((v) => v === undefined)] ?? 'ZOOM_ACCOUNT_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when any Zoom credential is set' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  http: { port: number; host: string; publicBaseUrl: string };
  redisUrl: string;
  /** Every connection's target: REDIS_URL, or the Sentinel group with REDIS_URL's password and db. */
  redis: RedisTarget;
  /** The durability rule (README "Redis high availability"): replicas WAITed for after acknowledged writes. */
  durability: { replicas: number; timeoutMs: number };
  /** How often a worker re-plans every event (0: only at start and after a lost connection). */
  reconcileIntervalMs: number;
  redisKeyPrefix: string;
  role: 'api' | 'worker' | 'all';
  organizerTokens: string[];
  signingKeys: Array<{ id: string; secret: string }>;
  programmeFile: string | undefined;
  bbb:
    | { url: string; secret: string; algorithm: 'sha1' | 'sha256' | 'sha384' | 'sha512'; warmupLeadMinutes: number }
    | undefined;
  zoom:
    | {
        accountId: string;
        clientId: string;
        clientSecret: string;
        userId: string;
        apiUrl: string;
        oauthUrl: string;
        plan: 'free' | 'pro' | 'business';
      }
    | undefined;
  zoomWebhookSecretToken: string | undefined;
  /** When set, /metrics wants it as a bearer token (a metrics port reachable from outside). */
  metricsToken: string | undefined;
  mail: {
    /** Without it no mail is sent and every message is recorded as skipped. */
    smtp: { url: string; from: string } | undefined;
    maxPerSecond: number;
    updateDelaySeconds: number;
  };
  /** How often a running BigBlueButton room is asked who is in it. */
  attendance: { pollSeconds: number };
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming the first offending variable (never its value). */
export function loadConfig(source: NodeJS.ProcessEnv): Config {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const detail = source[variable] === undefined && issue?.code === 'invalid_type' ? 'is required' : (issue?.message ?? 'is invalid');
    throw new ConfigError(variable, detail);
  }
  const env = result.data;
  return {
    http: { port: env.PORT, host: env.HOST, publicBaseUrl: env.PUBLIC_BASE_URL },
    redisUrl: env.REDIS_URL,
    redis: {
      url: env.REDIS_URL,
      password: env.REDIS_PASSWORD,
      sentinel:
        env.REDIS_SENTINELS.length > 0
          ? { sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME, password: env.REDIS_SENTINEL_PASSWORD }
          : undefined,
    },
    // A single Redis has no replica to wait for; a Sentinel group has, and a failover promotes one of them.
    durability: { replicas: env.REDIS_WAIT_REPLICAS ?? (env.REDIS_SENTINELS.length > 0 ? 1 : 0), timeoutMs: env.REDIS_WAIT_TIMEOUT_MS },
    reconcileIntervalMs: env.RECONCILE_INTERVAL_SECONDS * 1000,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    role: env.ROLE,
    organizerTokens: env.ORGANIZER_TOKENS ?? [],
    signingKeys: env.LINK_SIGNING_KEYS,
    programmeFile: env.PROGRAMME_FILE,
    bbb:
      env.BBB_URL !== undefined && env.BBB_SECRET !== undefined
        ? { url: env.BBB_URL, secret: env.BBB_SECRET, algorithm: env.BBB_CHECKSUM_ALGORITHM, warmupLeadMinutes: env.BBB_WARMUP_LEAD_MINUTES }
        : undefined,
    zoom:
      env.ZOOM_ACCOUNT_ID !== undefined && env.ZOOM_CLIENT_ID !== undefined && env.ZOOM_CLIENT_SECRET !== undefined
        ? {
            accountId: env.ZOOM_ACCOUNT_ID,
            clientId: env.ZOOM_CLIENT_ID,
            clientSecret: env.ZOOM_CLIENT_SECRET,
            userId: env.ZOOM_USER_ID,
            apiUrl: env.ZOOM_API_URL,
            oauthUrl: env.ZOOM_OAUTH_URL,
            plan: env.ZOOM_PLAN,
          }
        : undefined,
    zoomWebhookSecretToken: env.ZOOM_WEBHOOK_SECRET_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    mail: {
      smtp: env.SMTP_URL !== undefined && env.MAIL_FROM !== undefined ? { url: env.SMTP_URL, from: env.MAIL_FROM } : undefined,
      maxPerSecond: env.MAIL_MAX_PER_SECOND,
      updateDelaySeconds: env.MAIL_UPDATE_DELAY_SECONDS,
    },
    attendance: { pollSeconds: env.ATTENDANCE_POLL_SECONDS },
    logLevel: env.LOG_LEVEL,
  };
}
