import { mkdirSync, writeFileSync } from 'node:fs';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/app/config.js';
import { categoryProductsQuery, productKey } from '../../src/models/product.js';
import { productReviewsQuery } from '../../src/models/review.js';
import type { Cost } from '../../src/plugins/use-telemetry.js';
import { RequestDb } from '../../src/store/request-db.js';
import { createTestApp, expectData, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { operation } from '../helpers/graphql.js';

let table: TestTable;
let t: TestApp;
let catalog: Catalog;
/** Cost extensions worth quoting, written to test-results/cost.md at the end. */
const measured: Array<{ operation: string; what: string; cost: Cost }> = [];

beforeAll(async () => {
  table = await createTestTable('telemetry');
  catalog = await loadCatalog(table);
  t = createTestApp(table);
});
afterAll(async () => {
  if (measured.length > 0) {
    const dir = new URL('../../test-results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const rows = measured.map(
      ({ operation, what, cost }) =>
        `| ${operation} | ${what} | ${Object.entries(cost.calls)
          .map(([op, n]) => `${op} ${n}`)
          .join(
            ', ',
          )} | ${cost.totalCalls} | ${cost.readCapacityUnits} | ${cost.writeCapacityUnits} |`,
    );
    writeFileSync(
      new URL('cost.md', dir),
      [
        '# Cost of contract operations (extensions.cost, DynamoDB Local)',
        '',
        'Written by test/integration/telemetry.test.ts.',
        '',
        '| Operation | Data | Calls | Total calls | RCU | WCU |',
        '|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  }
  await table.drop();
});

const productGid = (id: string) => encodeGlobalID('Product', id);

function costOf(response: GraphQLResponse<unknown>): Cost {
  const cost = response.extensions?.cost as Cost | undefined;
  if (!cost) throw new Error(`no extensions.cost in ${JSON.stringify(response)}`);
  return cost;
}

function record(operation: string, what: string, cost: Cost): void {
  measured.push({ operation, what, cost });
  console.info(`extensions.cost of ${operation} (${what}): ${JSON.stringify(cost)}`);
}

/** A customer made through the API: profile, three orders of two lines each, two cart lines. */
async function customerWithHistory(app: TestApp, id: string) {
  const token = await app.token(id);
  const created = expectData(
    await app.gql<{ createProfile: { __typename: string } }>(
      operation('CreateProfile'),
      { input: { name: `Customer ${id}`, email: `${id}@example.com` } },
      { token },
    ),
  );
  expect(created.createProfile.__typename).toBe('CreateProfileSuccess');
  const [a, b, c, d] = catalog.products.slice(1, 5) as [
    (typeof catalog.products)[number],
    (typeof catalog.products)[number],
    (typeof catalog.products)[number],
    (typeof catalog.products)[number],
  ];
  const orders: GraphQLResponse<{ placeOrder: { __typename: string } }>[] = [];
  for (const key of ['order-1', 'order-2', 'order-3']) {
    orders.push(
      await app.gql(
        operation('PlaceOrder'),
        {
          input: {
            idempotencyKey: key,
            lines: [
              { productId: productGid(a.id), quantity: 1 },
              { productId: productGid(b.id), quantity: 1 },
            ],
          },
        },
        { token },
      ),
    );
  }
  for (const order of orders) {
    expect(expectData(order).placeOrder.__typename).toBe('PlaceOrderSuccess');
  }
  for (const product of [c, d]) {
    const added = expectData(
      await app.gql<{ addToCart: { __typename: string } }>(
        operation('AddToCart'),
        { productId: productGid(product.id), quantity: 1 },
        { token },
      ),
    );
    expect(added.addToCart.__typename).toBe('AddToCartSuccess');
  }
  return { token, created, orders };
}

describe('extensions.cost', () => {
  it('Me: calls as counted at the wire, read capacity, no write capacity', async () => {
    const { token } = await customerWithHistory(t, 'telemetry-me');
    const { result, calls, total } = await t.wireCalls(() =>
      t.gql<{
        me: { orderCount: number; cart: { items: unknown[] }; orders: { edges: unknown[] } };
      }>(operation('Me'), { orders: 5 }, { token }),
    );
    const me = expectData(result).me;
    expect(me.orderCount).toBe(3);
    expect(me.orders.edges).toHaveLength(3);
    expect(me.cart.items).toHaveLength(2);
    const cost = costOf(result);
    record('Me', 'profile, 2 cart lines, 3 orders of 2 lines', cost);
    expect(cost.calls).toEqual(calls);
    expect(cost.totalCalls).toBe(total);
    expect(cost.calls.Scan).toBeUndefined();
    // Every call read at least one item, at 0.5 RCU or more each (eventually consistent).
    expect(cost.readCapacityUnits).toBeGreaterThanOrEqual(0.5 * total);
    expect(cost.writeCapacityUnits).toBe(0);
  });

  it('ProductPage: product, stock, category, rating, 10 reviews with authors', async () => {
    const reviewed = catalog.products[0]!;
    const { result, calls, total } = await t.wireCalls(() =>
      t.gql<{ product: { reviews: { edges: unknown[] } } }>(operation('ProductPage'), {
        id: productGid(reviewed.id),
        reviews: 10,
      }),
    );
    expect(expectData(result).product.reviews.edges).toHaveLength(10);
    const cost = costOf(result);
    record('ProductPage', 'product with 12 reviews, first 10', cost);
    expect(cost.calls).toEqual(calls);
    expect(cost.calls).toEqual({ BatchGetItem: 2, Query: 1 });
    expect(cost.totalCalls).toBe(total);
    // Product (1 item), reviews Query, then stock + category + 10 authors: 12 items of < 4 KB,
    // 0.5 RCU each, eventually consistent.
    expect(cost.readCapacityUnits).toBeGreaterThanOrEqual(0.5 + 0.5 + 12 * 0.5);
    expect(cost.writeCapacityUnits).toBe(0);
  });

  it('writes report write capacity: a transaction at least 2 WCU, a cart line at least 1', async () => {
    const token = await t.token('telemetry-writer');
    const profile = await t.gql(
      operation('CreateProfile'),
      { input: { name: 'Writer', email: 'telemetry-writer@example.com' } },
      { token },
    );
    const profileCost = costOf(profile);
    expect(profileCost.calls).toEqual({ TransactWriteItems: 1 });
    // A transactional write costs 2 WCU per KB of item. AWS bills every item; DynamoDB Local
    // reports one item's worth per table (2 here), so only that much is certain.
    expect(profileCost.writeCapacityUnits).toBeGreaterThanOrEqual(2);
    expect(profileCost.readCapacityUnits).toBe(0);

    const [a, b] = catalog.products.slice(8, 10) as [
      (typeof catalog.products)[number],
      (typeof catalog.products)[number],
    ];
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ placeOrder: { __typename: string } }>(
        operation('PlaceOrder'),
        {
          input: {
            idempotencyKey: 'telemetry-order',
            lines: [
              { productId: productGid(a.id), quantity: 1 },
              { productId: productGid(b.id), quantity: 1 },
            ],
          },
        },
        { token },
      ),
    );
    expect(expectData(result).placeOrder.__typename).toBe('PlaceOrderSuccess');
    const orderCost = costOf(result);
    record('PlaceOrder', '2 lines', orderCost);
    expect(orderCost.calls).toEqual(calls);
    expect(orderCost.calls.TransactWriteItems).toBe(1);
    // 2 stock updates, the order, the idempotency record, the profile's count: 5 items, 10 WCU
    // on AWS; see above for DynamoDB Local.
    expect(orderCost.writeCapacityUnits).toBeGreaterThanOrEqual(2);
    // Prices are read with strong consistency: 1 RCU per item at least.
    expect(orderCost.readCapacityUnits).toBeGreaterThanOrEqual(2);

    const added = await t.gql(
      operation('AddToCart'),
      { productId: productGid(a.id), quantity: 1 },
      {
        token,
      },
    );
    expect(costOf(added).writeCapacityUnits).toBeGreaterThanOrEqual(1);
  });

  it('a strongly consistent read costs twice an eventually consistent one of the same items', async () => {
    const measure = async (read: (db: RequestDb) => Promise<unknown>) => {
      const db = new RequestDb({ doc: table.dynamo.doc, tableName: table.tableName });
      await read(db);
      return db.capacity;
    };
    const productKeys = catalog.products.slice(0, 30).map((p) => productKey(p.id));
    const eventual = await measure((db) => db.items.loadMany(productKeys));
    const strong = await measure((db) => db.consistentItems.loadMany(productKeys));
    expect(eventual.read).toBeGreaterThanOrEqual(30 * 0.5);
    expect(strong.read).toBe(2 * eventual.read);
    expect(strong.write + eventual.write).toBe(0);

    const reviews = (consistent: boolean) => (db: RequestDb) =>
      db.query({
        ...productReviewsQuery(catalog.products[0]!.id).input,
        ConsistentRead: consistent,
      });
    const eventualQuery = await measure(reviews(false));
    const strongQuery = await measure(reviews(true));
    expect(eventualQuery.read).toBeGreaterThan(0);
    expect(strongQuery.read).toBe(2 * eventualQuery.read);
  });

  it('a GSI Query reports its read capacity', async () => {
    const db = new RequestDb({ doc: table.dynamo.doc, tableName: table.tableName });
    const out = await db.query({
      ...categoryProductsQuery('tools', null, null).input,
      Limit: 20,
    });
    expect(out.Items).toHaveLength(20);
    expect(db.calls.get('Query')).toBe(1);
    expect(db.capacity.read).toBeGreaterThan(0);
  });

  it('a request refused before execution reports zero cost', async () => {
    const { result, total } = await t.wireCalls(() => t.gql('query Broken { noSuchField }'));
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(costOf(result)).toEqual({
      calls: {},
      totalCalls: 0,
      readCapacityUnits: 0,
      writeCapacityUnits: 0,
    });
    expect(total).toBe(0);
  });
});

describe('extensions.cost in production', () => {
  it('is absent unless the request sends x-shop-cost: 1', async () => {
    const production = createTestApp(table, { NODE_ENV: 'production' });
    const query = operation('Categories');
    const plain = await production.gql(query);
    expectData(plain);
    expect(plain.extensions?.cost).toBeUndefined();
    const other = await production.gql(query, {}, { headers: { 'x-shop-cost': 'yes' } });
    expect(other.extensions?.cost).toBeUndefined();
    const asked = await production.gql(query, {}, { headers: { 'x-shop-cost': '1' } });
    expectData(asked);
    // A cache hit would cost nothing; the first answer for this app costs one Query.
    expect(costOf(asked).totalCalls).toBeLessThanOrEqual(1);
    expect(Object.keys(costOf(asked))).toEqual([
      'calls',
      'totalCalls',
      'readCapacityUnits',
      'writeCapacityUnits',
    ]);
  });
});

// ---------------------------------------------------------------------------- /metrics

type Sample = { name: string; labels: Record<string, string>; value: number };

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sample with exactly these labels, or 0 when the series does not exist yet. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  const found = samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === wanted.length &&
      wanted.every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

async function scrape(app: TestApp, headers: Record<string, string> = {}) {
  const response = await app.app.fetch('http://yoga/metrics', { headers });
  return { response, text: await response.text() };
}

async function samplesOf(app: TestApp): Promise<Sample[]> {
  const { response, text } = await scrape(app);
  expect(response.status).toBe(200);
  return parseMetrics(text);
}

describe('GET /metrics', () => {
  it('exposes request, DynamoDB and process metrics that grow by what was sent', async () => {
    const app = createTestApp(table);
    const before = await samplesOf(app);
    const { token } = await customerWithHistory(app, 'telemetry-metrics');
    const afterSetup = await samplesOf(app);

    const page = (id: string) =>
      app.gql(operation('ProductPage'), { id: productGid(id), reviews: 10 });
    const sent = [
      await page(catalog.products[0]!.id),
      await page(catalog.products[1]!.id),
      // Again: possibly from the response cache (no parse, no DynamoDB call), counted the same.
      await page(catalog.products[0]!.id),
      await app.gql(operation('Me'), { orders: 5 }, { token }),
      await app.gql('query Broken { noSuchField }'),
      await app.gql(`query ${'N'.repeat(70)} { categories { id } }`),
      await app.gql('{ categories { id } }'),
    ];
    const costs = sent.map(costOf);
    const health = await app.app.fetch('http://yoga/health');
    expect(health.status).toBe(200);
    await app.app.fetch('http://yoga/wp-admin/setup.php');
    const after = await samplesOf(app);

    const ops = (type: string, name: string, outcome: string) => ({
      operation_type: type,
      operation_name: name,
      outcome,
    });
    const grew = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(afterSetup, name, labels);
    expect(grew('graphql_requests_total', ops('query', 'ProductPage', 'ok'))).toBe(3);
    expect(grew('graphql_request_duration_seconds_count', ops('query', 'ProductPage', 'ok'))).toBe(
      3,
    );
    expect(
      grew('graphql_request_duration_seconds_sum', ops('query', 'ProductPage', 'ok')),
    ).toBeGreaterThan(0);
    expect(
      grew('graphql_request_duration_seconds_bucket', {
        ...ops('query', 'ProductPage', 'ok'),
        le: '+Inf',
      }),
    ).toBe(3);
    expect(grew('graphql_requests_total', ops('query', 'Me', 'ok'))).toBe(1);
    expect(grew('graphql_requests_total', ops('query', 'Broken', 'error'))).toBe(1);
    // A name too long to be a label value, and no name at all.
    expect(grew('graphql_requests_total', ops('query', 'other', 'ok'))).toBe(1);
    expect(grew('graphql_requests_total', ops('query', 'anonymous', 'ok'))).toBe(1);
    // The setup's mutations were counted before.
    expect(
      sampleValue(afterSetup, 'graphql_requests_total', ops('mutation', 'PlaceOrder', 'ok')) -
        sampleValue(before, 'graphql_requests_total', ops('mutation', 'PlaceOrder', 'ok')),
    ).toBe(3);

    const sum = (pick: (cost: Cost) => number) => costs.reduce((total, c) => total + pick(c), 0);
    for (const operation of ['BatchGetItem', 'Query']) {
      const expected = sum((c) => c.calls[operation] ?? 0);
      expect(expected).toBeGreaterThan(0);
      expect(grew('dynamodb_calls_total', { operation })).toBe(expected);
    }
    expect(grew('dynamodb_consumed_capacity_units_total', { kind: 'read' })).toBeCloseTo(
      sum((c) => c.readCapacityUnits),
      6,
    );
    expect(grew('dynamodb_consumed_capacity_units_total', { kind: 'read' })).toBeGreaterThan(0);
    expect(grew('dynamodb_consumed_capacity_units_total', { kind: 'write' })).toBe(0);
    expect(
      sampleValue(afterSetup, 'dynamodb_consumed_capacity_units_total', { kind: 'write' }),
    ).toBeGreaterThan(0);

    expect(
      grew('http_request_duration_seconds_count', {
        method: 'GET',
        path: '/health',
        status: '200',
      }),
    ).toBe(1);
    expect(
      grew('http_request_duration_seconds_count', { method: 'GET', path: 'other', status: '404' }),
    ).toBe(1);
    expect(after.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(after.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('answers in the Prometheus text format, and each app counts only its own requests', async () => {
    const one = createTestApp(table);
    const two = createTestApp(table);
    await one.gql('query OnlyOne { categories { id } }');
    const { response, text } = await scrape(one);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE graphql_request_duration_seconds histogram');
    expect(text).toContain('# TYPE dynamodb_calls_total counter');
    const labels = { operation_type: 'query', operation_name: 'OnlyOne', outcome: 'ok' };
    expect(sampleValue(parseMetrics(text), 'graphql_requests_total', labels)).toBe(1);
    expect(sampleValue(await samplesOf(two), 'graphql_requests_total', labels)).toBe(0);
    const post = await one.app.fetch('http://yoga/metrics', { method: 'POST', body: '' });
    expect(post.status).toBe(405);
  });

  it('with METRICS_TOKEN, asks for that bearer token', async () => {
    const secret = 'metrics-token-0123456789-abcdef';
    const guarded = createTestApp(table, { METRICS_TOKEN: secret });
    const none = await scrape(guarded);
    expect(none.response.status).toBe(401);
    expect(none.response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.text).not.toContain('graphql_requests_total');
    const wrong = await scrape(guarded, { authorization: `Bearer ${secret}x` });
    expect(wrong.response.status).toBe(401);
    const prefix = await scrape(guarded, { authorization: `Bearer ${secret.slice(0, -1)}` });
    expect(prefix.response.status).toBe(401);
    const right = await scrape(guarded, { authorization: `Bearer ${secret}` });
    expect(right.response.status).toBe(200);
    expect(right.text).toContain('graphql_requests_total');
    // The GraphQL endpoint does not care about the token.
    expectData(await guarded.gql('{ categories { id } }'));
    expect(() => createTestApp(table, { METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => createTestApp(table, { METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
