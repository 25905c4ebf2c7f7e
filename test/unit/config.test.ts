import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.js';

const SECRET = 'x'.repeat(32);

describe('loadConfig', () => {
  it('applies the documented defaults, with warnings for development secrets', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      host: '127.0.0.1',
      dynamoEndpoint: undefined,
      region: 'us-east-1',
      tableName: 'Shop',
      dataDir: '.data',
      orderStatusShards: 4,
      logLevel: 'info',
      executor: 'jit',
      streamMaxIdlePollMs: 1_000,
      admission: { maxInFlight: 32, maxQueue: 4_000, deadlineMs: 10_000 },
      wsMaxSubscriptions: 20,
      persistedQueries: { enabled: true, ttlSeconds: 604_800 },
    });
    expect(config.warnings.join('\n')).toMatch(/JWT_SECRET/);
    expect(config.warnings.join('\n')).toMatch(/CURSOR_SECRET/);
  });

  it('names the variable of a bad value', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['ORDER_STATUS_SHARDS', '0'],
      ['DYNAMODB_ENDPOINT', 'not a url'],
      ['TABLE_NAME', 'ab'],
      ['LOG_LEVEL', 'loud'],
      ['JWT_SECRET', 'short'],
      ['GRAPHQL_EXECUTOR', 'fast'],
      ['STREAM_MAX_IDLE_POLL_MS', '100'],
      ['DYNAMODB_MAX_IN_FLIGHT', '0'],
      ['DYNAMODB_MAX_QUEUE', '-1'],
      ['REQUEST_DEADLINE_MS', '50'],
      ['REDIS_URL', 'http://cache:6379'],
      ['STREAM_LEASE_MS', '100'],
      ['WS_MAX_SUBSCRIPTIONS', '0'],
      ['PERSISTED_QUERIES', 'maybe'],
      ['PERSISTED_QUERY_TTL_SECONDS', '10'],
    ]) {
      expect(() => loadConfig({ [name as string]: value }), name).toThrow(
        new RegExp(`^Invalid configuration: ${name}:`),
      );
    }
  });

  it('turns APQ off with PERSISTED_QUERIES=off, but not where trusted documents need hashes', () => {
    expect(
      loadConfig({ PERSISTED_QUERIES: 'off', PERSISTED_QUERY_TTL_SECONDS: '3600' })
        .persistedQueries,
    ).toEqual({ enabled: false, ttlSeconds: 3_600 });
    expect(() =>
      loadConfig({
        PERSISTED_QUERIES: 'off',
        TRUSTED_DOCUMENTS: 'documents/persisted-operations.json',
      }),
    ).toThrow(
      /^Invalid configuration: PERSISTED_QUERIES: off cannot be combined with TRUSTED_DOCUMENTS/,
    );
  });

  it('production refuses to start without real secrets, naming what is missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET or JWKS_URL and CURSOR_SECRET/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET })).toThrow(
      /requires CURSOR_SECRET$/,
    );
    const ok = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CURSOR_SECRET: SECRET });
    expect(ok.isProduction).toBe(true);
    expect(ok.warnings).toEqual([]);
  });

  it('prefers a JWKS when one is configured, with issuer and audience', () => {
    const config = loadConfig({
      JWKS_URL: 'https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json',
      JWT_ISSUER: 'https://issuer',
      JWT_AUDIENCE: 'shop',
    });
    expect(config.jwt).toEqual({
      kind: 'jwks',
      jwksUrl: 'https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json',
      issuer: 'https://issuer',
      audience: 'shop',
    });
  });

  it('turns the fleet on with REDIS_URL only', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example:6379' }).redis).toEqual({
      url: 'rediss://cache.example:6379',
      keyPrefix: '{shop}:',
      streamMaxLength: 10_000,
    });
  });

  it('uses fixed local credentials only for an endpoint without AWS keys', () => {
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://localhost:8000' }).dynamoLocalCredentials).toBe(
      true,
    );
    expect(
      loadConfig({ DYNAMODB_ENDPOINT: 'http://localhost:8000', AWS_ACCESS_KEY_ID: 'AKIA' })
        .dynamoLocalCredentials,
    ).toBe(false);
  });
});
