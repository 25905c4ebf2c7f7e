import { readFileSync } from 'node:fs';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { signDevToken } from '../../src/auth/tokens.js';
import type { APIGatewayProxyEventV2 } from '../../src/entry/lambda.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import { createFleet, type Fleet } from '../../src/fleet/fleet.js';
import {
  createTestApp,
  TEST_CURSOR_SECRET,
  TEST_JWT_SECRET,
  type TestApp,
} from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { operation } from '../helpers/graphql.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

/**
 * The HTTP Lambda with REDIS_URL next to a container replica (an app with its own fleet on the
 * same Redis): it shares the rate limits, and its response cache catches up on the bus before
 * each request, with no reader running between invocations.
 */
type LambdaModule = typeof import('../../src/entry/lambda.js');

const context = { awsRequestId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' };
const PREFIX = '{lambda-fleet}:';
let table: TestTable;
let catalog: Catalog;
let redis: TestRedis;
let lambda: LambdaModule;
let container: TestApp;
let containerFleet: Fleet;

function post(query: string, variables: Record<string, unknown>, token?: string) {
  const file = new URL('../fixtures/lambda/post-graphql.json', import.meta.url);
  const event = JSON.parse(readFileSync(file, 'utf8')) as APIGatewayProxyEventV2;
  event.body = JSON.stringify({ query, variables });
  event.headers = {
    ...event.headers,
    'content-length': String(Buffer.byteLength(event.body)),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return event;
}

async function invoke(query: string, variables: Record<string, unknown>, token?: string) {
  const result = await lambda.handler(post(query, variables, token), context);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') };
}

beforeAll(async () => {
  table = await createTestTable('lambda-fleet');
  catalog = await loadCatalog(table);
  redis = await startTestRedis();
  const env = {
    NODE_ENV: 'production',
    DYNAMODB_ENDPOINT: table.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: '',
    TABLE_NAME: table.tableName,
    JWT_SECRET: TEST_JWT_SECRET,
    JWKS_URL: '',
    CURSOR_SECRET: TEST_CURSOR_SECRET,
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: PREFIX,
    RATE_LIMIT_MUTATIONS: '4',
    RESPONSE_CACHE_TTL_SECONDS: '300',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  lambda = await import('../../src/entry/lambda.js');
  containerFleet = createFleet(loadConfig(env), createLogger('silent'));
  const pubsub = createShopPubSub();
  container = createTestApp(table, env, { pubsub, fleet: containerFleet });
  await containerFleet.start(pubsub);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await containerFleet?.stop();
  await redis?.stop();
  await table?.drop();
});

describe('the HTTP Lambda with REDIS_URL', () => {
  it('serves a fresh answer from its cache right after a write through a container replica', async () => {
    const product = catalog.products[0]!;
    const id = encodeGlobalID('Product', product.id);
    const query = 'query Stock($id: ID!) { product(id: $id) { id stock } }';
    const first = await invoke(query, { id });
    const before = first.body.data.product.stock as number;
    // Cached: the same answer again, without reading the table (its call count stays).
    const calls = table.dynamo.wire.snapshot();
    expect((await invoke(query, { id })).body.data.product.stock).toBe(before);
    expect(table.dynamo.wire.since(calls).total).toBe(0);

    const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'lambda-admin', admin: true });
    const restocked = await container.gql(
      operation('Restock'),
      { productId: id, quantity: 3 },
      { token: admin },
    );
    expect(restocked.data?.restock).toMatchObject({ product: { stock: before + 3 } });
    // The very next invocation, with no time for anything in the background.
    expect((await invoke(query, { id })).body.data.product.stock).toBe(before + 3);
  });

  it('shares the rate limit with the containers', async () => {
    const token = await signDevToken(TEST_JWT_SECRET, { sub: 'lambda-rate' });
    const variables = { productId: encodeGlobalID('Product', 'no-such-product'), quantity: 1 };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await invoke(operation('AddToCart'), variables, token)).status);
      statuses.push((await container.gql(operation('AddToCart'), variables, { token })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
