import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { type ApiKeyEntry, parseApiKeys } from './api-keys.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seedHex = z
  .string()
  .regex(
    /^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/,
    'must be 64 (seed) or 128 (seed ‖ public key) hex chars',
  )
  .optional();
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment as the contract names it (§8). Parsed once at boot. */
const EnvSchema = z
  .object({
    PORT: int(0, 65535).default(8011),
    HOST: z.string().default('127.0.0.1'),
    APP_ENV: z.string().min(1).default('dev'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    DATA_DIR: z.string().default('./.data'),
    CLIENT_API_KEYS: z.string().optional(),
    MINER_API_KEYS: z.string().optional(),
    ADMIN_API_KEYS: z.string().optional(),
    RECEIPT_SIGNING_KEY_HEX: seedHex,
    RECEIPT_ATTESTATION_KEY_HEX: seedHex,
    COORDINATOR_ID: z.string().min(1).max(128).default('coordinator'),
    JOB_TTL_SECONDS: int(1, 30 * 24 * 3600).default(900),
    JOB_TIMEOUT_SECONDS: int(1, 30 * 24 * 3600).default(3600),
    JOB_MAX_ATTEMPTS: int(1, 20).default(3),
    HEARTBEAT_INTERVAL_SECONDS: int(1, 3600).default(10),
    HEARTBEAT_TIMEOUT_SECONDS: int(1, 3600).default(30),
    LONG_POLL_MAX_SECONDS: int(0, 300).default(30),
    MAX_BODY_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    MAX_QUEUED_JOBS_PER_CLIENT: int(1, 10_000_000).default(10_000),
    SWEEP_INTERVAL_MS: int(50, 60_000).default(1000),
    DB_POOL_MAX: int(1, 200).default(10),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(64).default('aitbc:'),
    REQUIRE_SIGNED_REQUESTS: flag.default(false),
    RATE_LIMIT_REQUESTS: int(0, 10_000_000).default(6000),
    RATE_LIMIT_WINDOW_SECONDS: int(1, 24 * 3600).default(60),
    MINER_RATE_LIMIT_REQUESTS: int(0, 10_000_000).optional(),
    IP_RATE_LIMIT_REQUESTS: int(0, 10_000_000).optional(),
    MAX_BATCH_SIZE: int(1, 1000).default(100),
    MAX_LONG_POLLS_PER_MINER: int(1, 10_000).default(32),
    REQUEST_TIMEOUT_SECONDS: int(1, 3600).default(30),
    CORS_ORIGINS: z.string().optional(),
    WEBHOOK_ALLOW_PRIVATE: flag.default(false),
    WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(8),
    WEBHOOK_TIMEOUT_SECONDS: int(1, 300).default(10),
    WEBHOOK_RETRY_BASE_MS: int(100, 30_000).default(5000),
  })
  .superRefine((env, ctx) => {
    // One late heartbeat must not cost a healthy miner its leases.
    if (env.HEARTBEAT_TIMEOUT_SECONDS < 2 * env.HEARTBEAT_INTERVAL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HEARTBEAT_TIMEOUT_SECONDS'],
        message: 'must be at least twice HEARTBEAT_INTERVAL_SECONDS',
      });
    }
  });

export interface Config {
  port: number;
  host: string;
  appEnv: string;
  production: boolean;
  logLevel: string;
  databaseUrl: string | null;
  dataDir: string;
  apiKeys: ApiKeyEntry[];
  /** True when some role had no keys configured (dev only): start-up generates them. */
  keysFromEnv: { client: boolean; miner: boolean; admin: boolean };
  signingKeyHex: string | null;
  attestationKeyHex: string | null;
  coordinatorId: string;
  jobTtlSeconds: number;
  jobTimeoutSeconds: number;
  jobMaxAttempts: number;
  heartbeatIntervalSeconds: number;
  /** Also the lease length: a lease lasts as long as a miner may stay silent. */
  heartbeatTimeoutSeconds: number;
  longPollMaxSeconds: number;
  maxBodyBytes: number;
  maxQueuedJobsPerClient: number;
  sweepIntervalMs: number;
  dbPoolMax: number;
  redisUrl: string | null;
  /** Prefix of every Redis key (nonces, rate limits), so instances of one fleet share them. */
  redisKeyPrefix: string;
  security: SecurityConfig;
  webhooks: WebhookConfig;
}

/** Webhook delivery (contract §7a). */
export interface WebhookConfig {
  /** Deliver to private, loopback and link-local addresses too (tests, closed networks). */
  allowPrivate: boolean;
  /** Attempts per event before its delivery is given up. */
  maxAttempts: number;
  timeoutMs: number;
  /** Delay before the first retry; each further retry waits twice as long (capped at 1 h). */
  retryBaseMs: number;
}

/** Request signing, rate limits and abuse limits (contract §8a). */
export interface SecurityConfig {
  requireSignedRequests: boolean;
  /** Requests per window per principal (clients, admins); 0 = off (and by default the rest). */
  rateLimitRequests: number;
  rateLimitWindowSeconds: number;
  /** Requests per window per miner: polls and heartbeats of busy miners need more. */
  minerRateLimitRequests: number;
  /** Requests per window per client IP for calls without a known key. */
  ipRateLimitRequests: number;
  /** Calls in one tRPC batch; each counts against the budget. */
  maxBatchSize: number;
  maxLongPollsPerMiner: number;
  /** Time a client has to send a whole request (headers and body). */
  requestTimeoutSeconds: number;
  /** Origins allowed by CORS: empty = no CORS headers at all, `['*']` = any origin. */
  corsOrigins: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads `.env` from `cwd` (real environment variables win), validates everything, and returns
 * the one Config the app is built from. Throws ConfigError listing every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dotenvPath = resolve(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseEnv(readFileSync(dotenvPath, 'utf8')) : {};
  const merged = { ...stripEmpty(fromFile), ...stripEmpty(env) };
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.APP_ENV === 'production';
  let apiKeys: ApiKeyEntry[];
  try {
    apiKeys = [
      ...parseApiKeys(e.CLIENT_API_KEYS, 'client'),
      ...parseApiKeys(e.MINER_API_KEYS, 'miner'),
      ...parseApiKeys(e.ADMIN_API_KEYS, 'admin'),
    ];
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const keysFromEnv = {
    client: apiKeys.some((k) => k.role === 'client'),
    miner: apiKeys.some((k) => k.role === 'miner'),
    admin: apiKeys.some((k) => k.role === 'admin'),
  };
  if (production) {
    const missing = [
      !keysFromEnv.client && 'CLIENT_API_KEYS',
      !keysFromEnv.miner && 'MINER_API_KEYS',
      !keysFromEnv.admin && 'ADMIN_API_KEYS',
      !e.RECEIPT_SIGNING_KEY_HEX && 'RECEIPT_SIGNING_KEY_HEX',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(`APP_ENV=production requires ${missing.join(', ')} (no dev defaults)`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    appEnv: e.APP_ENV,
    production,
    logLevel: e.LOG_LEVEL ?? (production ? 'warn' : 'info'),
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: resolve(cwd, e.DATA_DIR),
    apiKeys,
    keysFromEnv,
    signingKeyHex: e.RECEIPT_SIGNING_KEY_HEX ?? null,
    attestationKeyHex: e.RECEIPT_ATTESTATION_KEY_HEX ?? null,
    coordinatorId: e.COORDINATOR_ID,
    jobTtlSeconds: e.JOB_TTL_SECONDS,
    jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
    jobMaxAttempts: e.JOB_MAX_ATTEMPTS,
    heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
    heartbeatTimeoutSeconds: e.HEARTBEAT_TIMEOUT_SECONDS,
    longPollMaxSeconds: e.LONG_POLL_MAX_SECONDS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxQueuedJobsPerClient: e.MAX_QUEUED_JOBS_PER_CLIENT,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    dbPoolMax: e.DB_POOL_MAX,
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    security: {
      requireSignedRequests: e.REQUIRE_SIGNED_REQUESTS,
      rateLimitRequests: e.RATE_LIMIT_REQUESTS,
      rateLimitWindowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      minerRateLimitRequests: e.MINER_RATE_LIMIT_REQUESTS ?? 4 * e.RATE_LIMIT_REQUESTS,
      ipRateLimitRequests: e.IP_RATE_LIMIT_REQUESTS ?? e.RATE_LIMIT_REQUESTS,
      maxBatchSize: e.MAX_BATCH_SIZE,
      maxLongPollsPerMiner: e.MAX_LONG_POLLS_PER_MINER,
      requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
      corsOrigins: (e.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
    },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    },
  };
}

/** An empty variable means unset, in the environment and in `.env` alike. */
function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== ''),
  );
}
