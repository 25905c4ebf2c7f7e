import { type Config, loadConfig } from '../../src/app/config.js';
import { type AppDeps, createApp } from '../../src/app/create-app.js';
import { createLogger } from '../../src/app/logger.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { type TestTable, wireCalls } from './dynamo.js';
import { type GraphQLReply, sendGraphQL } from './graphql.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789-0123456789-abcdef';
export const TEST_CURSOR_SECRET = 'test-cursor-secret-0123456789-0123456789-abc';

/** What `gql` answers: status, headers and the body (raw and parsed). */
export type GraphQLResponse<T = Record<string, unknown>> = GraphQLReply<T>;

export interface TestApp {
  app: ReturnType<typeof createApp>;
  config: Config;
  table: TestTable;
  /** The DynamoDB commands of the last finished request, by operation, as the gateway sent them. */
  lastCalls(): Record<string, number>;
  /** Calls counted at the wire (every attempt) during `fn`. */
  wireCalls<T>(
    fn: () => Promise<T>,
  ): Promise<{ result: T; calls: Record<string, number>; total: number }>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  token(sub: string, admin?: boolean): Promise<string>;
}

export function testConfig(
  tableName: string,
  endpoint: string,
  extra: Record<string, string> = {},
): Config {
  return loadConfig({
    NODE_ENV: 'test',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    JWT_SECRET: TEST_JWT_SECRET,
    CURSOR_SECRET: TEST_CURSOR_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests fire many mutations per viewer; the rate limit has a test of its own.
    RATE_LIMIT_MUTATIONS: '100000',
    ...extra,
  });
}

/** The real app on the table's DynamoDB Local, called through app.fetch (no port needed). */
export function createTestApp(
  table: TestTable,
  extraEnv: Record<string, string> = {},
  deps: Pick<AppDeps, 'pubsub' | 'fleet' | 'shutdown' | 'admission'> = {},
): TestApp {
  const config = testConfig(table.tableName, table.endpoint, extraEnv);
  let last: Record<string, number> = {};
  const app = createApp({
    config,
    logger: createLogger(config.logLevel),
    client: table.dynamo.client,
    doc: table.dynamo.doc,
    onRequestDone: (calls) => {
      last = calls;
    },
    ...deps,
  });
  return {
    app,
    config,
    table,
    lastCalls: () => last,
    wireCalls: (fn) => wireCalls(table, fn),
    gql: (query, variables, options = {}) =>
      sendGraphQL(app, { query, ...(variables ? { variables } : {}) }, options) as Promise<
        GraphQLResponse<never>
      >,
    token: (sub, admin = false) => signDevToken(TEST_JWT_SECRET, { sub, admin }),
  };
}

/** Fails with the query and the whole response printed, so a red test says what happened. */
export function expectData<T>(response: GraphQLResponse<T>, query?: string): T {
  if (response.errors?.length || response.data == null) {
    throw new Error(
      `GraphQL request failed (HTTP ${response.status})\n${query ? `query: ${query}\n` : ''}response: ${JSON.stringify(
        { data: response.data, errors: response.errors },
        null,
        2,
      )}`,
    );
  }
  return response.data;
}
