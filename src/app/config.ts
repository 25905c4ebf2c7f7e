import { z } from 'zod';
import { DEFAULT_TIMEOUTS, type DynamoTimeouts } from '../store/client.js';
import { loadManifest, ManifestError } from './trusted-documents.js';

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';
const DEV_CURSOR_SECRET = 'dev-only-cursor-secret-change-me-0123456789';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DYNAMODB_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, '3-255 characters of a-z, A-Z, 0-9, _ . -')
    .default('Shop'),
  DATA_DIR: z.string().min(1).default('.data'),
  JWT_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
  JWKS_URL: optionalString.pipe(z.url().optional()),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  CURSOR_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
  ORDER_STATUS_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: optionalString,
  TRUSTED_DOCUMENTS: optionalString,
  PERSISTED_QUERIES: z.enum(['on', 'off']).default('on'),
  PERSISTED_QUERY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 24 * 3_600)
    .default(7 * 24 * 3_600),
  RESPONSE_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  STREAM_MAX_IDLE_POLL_MS: z.coerce
    .number()
    .int()
    .min(250)
    .max(60_000)
    .default(DEFAULT_TIMEOUTS.connectTimeoutMs),
  GRAPHQL_EXECUTOR: z.enum(['jit', 'graphql-js']).default('jit'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(100_000),
  QUERY_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(12),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).max(1_000).default(15),
  QUERY_MAX_TOKENS: z.coerce.number().int().min(50).max(100_000).default(1_000),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(10),
  QUERY_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  RATE_LIMIT_MUTATIONS: z.coerce.number().int().min(1).max(1_000_000).default(60),
  RATE_LIMIT_WINDOW: z
    .string()
    .regex(/^\d+(ms|s|m|h)$/, 'a duration like 500ms, 30s, 1m or 1h')
    .default('1m'),
  DYNAMODB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  DYNAMODB_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(DEFAULT_TIMEOUTS.requestTimeoutMs),
  DYNAMODB_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(DEFAULT_TIMEOUTS.maxAttempts),
  DYNAMODB_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(4_096).default(32),
  DYNAMODB_MAX_QUEUE: z.coerce.number().int().min(0).max(1_000_000).default(4_000),
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'at least 16 characters').optional()),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  // One hash tag for every key, so the Lua scripts also run on a cluster (ElastiCache Serverless).
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('{shop}:'),
  REDIS_STREAM_MAX_LENGTH: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
  STREAM_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(20),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  /** Unset: embedded DynamoDB Local in development, AWS DynamoDB in production. */
  dynamoEndpoint: string | undefined;
  /** An endpoint without AWS keys in the environment is DynamoDB Local: use fixed local keys. */
  dynamoLocalCredentials: boolean;
  region: string;
  /**
   * Per-attempt limits of every DynamoDB call: an unreachable or stalled database fails a
   * request within about maxAttempts × (connectTimeoutMs + requestTimeoutMs), never hangs it.
   */
  dynamoTimeouts: DynamoTimeouts;
  /**
   * Admission control (src/store/admission.ts): DynamoDB calls of this process in flight at
   * once, calls that may wait for one, and each request's deadline for starting its calls (also
   * how long a write of unknown outcome is re-sent before the answer says so).
   */
  admission: { maxInFlight: number; maxQueue: number; deadlineMs: number };
  tableName: string;
  dataDir: string;
  jwt:
    | { kind: 'secret'; secret: string; issuer?: string; audience?: string }
    | { kind: 'jwks'; jwksUrl: string; issuer?: string; audience?: string };
  cursorSecret: string;
  orderStatusShards: number;
  logLevel: Env['LOG_LEVEL'];
  /** Origins allowed by CORS; `*` for any. Empty: no CORS headers (same-origin only). */
  corsOrigins: string[];
  maxBodyBytes: number;
  /** Subscriptions one graphql-ws socket may have open at once; past it an operation is refused. */
  wsMaxSubscriptions: number;
  /**
   * The trusted-documents manifest (src/app/trusted-documents.ts), read and checked here so that
   * a bad file stops the start like any bad value: only its operations run, by hash. Unset: any
   * operation, and Apollo's automatic persisted queries.
   */
  trustedDocuments: Map<string, string> | undefined;
  /**
   * Apollo's automatic persisted queries (without trusted documents). Off: a request carrying a
   * hash gets PERSISTED_QUERY_NOT_SUPPORTED, on which Apollo's link stops sending hashes. The
   * TTL is how long Redis keeps a registered text (the in-memory store keeps the most recent).
   */
  persistedQueries: { enabled: boolean; ttlSeconds: number };
  /** How long a public catalog response may be served from the cache; 0 turns it off. */
  responseCacheTtlSeconds: number;
  /** The longest wait between GetRecords calls of a quiet stream shard (250 ms while busy). */
  streamMaxIdlePollMs: number;
  /** `jit`: queries and mutations run on graphql-jit; `graphql-js`: the reference executor. */
  executor: 'jit' | 'graphql-js';
  /** graphql-armor's operation limits. */
  limits: { depth: number; aliases: number; tokens: number; directives: number; cost: number };
  /** Mutations per viewer (per mutation field) in each window. */
  rateLimit: { mutations: number; window: string };
  /** Set: GET /metrics requires `Authorization: Bearer <token>`. Unset: /metrics is open. */
  metricsToken: string | undefined;
  /**
   * Set: the processes of a deployment share events, invalidations and rate limits through
   * Redis, and one of them reads each stream shard (src/fleet). Unset: one process on its own.
   */
  redis: { url: string; keyPrefix: string; streamMaxLength: number } | undefined;
  /** How long a stream shard's lease lasts without renewal before another process takes it. */
  streamLeaseMs: number;
  /** Development fallbacks in use, to be logged as warnings at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once. Throws a ConfigError whose message names every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  const missing: string[] = [];

  let jwt: Config['jwt'];
  const claims = {
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
  };
  if (env.JWKS_URL) {
    jwt = { kind: 'jwks', jwksUrl: env.JWKS_URL, ...claims };
  } else if (env.JWT_SECRET) {
    jwt = { kind: 'secret', secret: env.JWT_SECRET, ...claims };
  } else if (isProduction) {
    missing.push('JWT_SECRET or JWKS_URL');
    jwt = { kind: 'secret', secret: '' };
  } else {
    warnings.push(
      'JWT_SECRET is not set: using the development secret (never do this in production)',
    );
    jwt = { kind: 'secret', secret: DEV_JWT_SECRET, ...claims };
  }

  let cursorSecret = env.CURSOR_SECRET;
  if (!cursorSecret) {
    if (isProduction) missing.push('CURSOR_SECRET');
    else
      warnings.push(
        'CURSOR_SECRET is not set: using the development secret (never do this in production)',
      );
    cursorSecret = DEV_CURSOR_SECRET;
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration: production (NODE_ENV=production) requires ${missing.join(' and ')}`,
    );
  }

  if (env.TRUSTED_DOCUMENTS && env.PERSISTED_QUERIES === 'off') {
    // Trusted documents are sent by hash only: with hashes refused nothing could run.
    throw new ConfigError(
      'Invalid configuration: PERSISTED_QUERIES: off cannot be combined with TRUSTED_DOCUMENTS, whose operations are sent by hash',
    );
  }
  let trustedDocuments: Map<string, string> | undefined;
  try {
    trustedDocuments = env.TRUSTED_DOCUMENTS ? loadManifest(env.TRUSTED_DOCUMENTS) : undefined;
  } catch (error) {
    if (error instanceof ManifestError) {
      throw new ConfigError(`Invalid configuration: ${error.message}`);
    }
    throw error;
  }

  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    dynamoEndpoint: env.DYNAMODB_ENDPOINT,
    dynamoLocalCredentials: !source.AWS_ACCESS_KEY_ID && (!isProduction || !!env.DYNAMODB_ENDPOINT),
    region: env.AWS_REGION,
    dynamoTimeouts: {
      connectTimeoutMs: env.DYNAMODB_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: env.DYNAMODB_REQUEST_TIMEOUT_MS,
      maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
    },
    admission: {
      maxInFlight: env.DYNAMODB_MAX_IN_FLIGHT,
      maxQueue: env.DYNAMODB_MAX_QUEUE,
      deadlineMs: env.REQUEST_DEADLINE_MS,
    },
    tableName: env.TABLE_NAME,
    dataDir: env.DATA_DIR,
    jwt,
    cursorSecret,
    orderStatusShards: env.ORDER_STATUS_SHARDS,
    logLevel: env.LOG_LEVEL,
    corsOrigins: (env.CORS_ORIGINS ?? (isProduction ? '' : '*'))
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    maxBodyBytes: env.MAX_BODY_BYTES,
    wsMaxSubscriptions: env.WS_MAX_SUBSCRIPTIONS,
    trustedDocuments,
    persistedQueries: {
      enabled: env.PERSISTED_QUERIES === 'on',
      ttlSeconds: env.PERSISTED_QUERY_TTL_SECONDS,
    },
    responseCacheTtlSeconds: env.RESPONSE_CACHE_TTL_SECONDS,
    streamMaxIdlePollMs: env.STREAM_MAX_IDLE_POLL_MS,
    executor: env.GRAPHQL_EXECUTOR,
    limits: {
      depth: env.QUERY_MAX_DEPTH,
      aliases: env.QUERY_MAX_ALIASES,
      tokens: env.QUERY_MAX_TOKENS,
      directives: env.QUERY_MAX_DIRECTIVES,
      cost: env.QUERY_MAX_COST,
    },
    rateLimit: { mutations: env.RATE_LIMIT_MUTATIONS, window: env.RATE_LIMIT_WINDOW },
    metricsToken: env.METRICS_TOKEN,
    redis: env.REDIS_URL
      ? {
          url: env.REDIS_URL,
          keyPrefix: env.REDIS_KEY_PREFIX,
          streamMaxLength: env.REDIS_STREAM_MAX_LENGTH,
        }
      : undefined,
    streamLeaseMs: env.STREAM_LEASE_MS,
    warnings,
  };
}

/** For entry points: the configuration, or its error on stderr and exit code 1. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
