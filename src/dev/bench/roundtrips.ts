// Over 300 lines: the benchmark's round-trip table is one measurement (record each scenario's
// DynamoDB plan in-process, then its calls, depth and the naive resolver's calls beside it).
// Development only.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Config, loadConfig } from '../../app/config.js';
import { createApp } from '../../app/create-app.js';
import { createLogger } from '../../app/logger.js';
import { signDevToken } from '../../auth/tokens.js';
import { schema } from '../../schema/index.js';
import type { Dynamo } from '../../store/client.js';
import { type DocumentOperation, documentOperations } from '../documents.js';
import type { BenchData } from './dataset.js';
import { naiveReads } from './naive.js';

export interface Secrets {
  jwtSecret: string;
  cursorSecret: string;
}

/** One DynamoDB call as the gateway's RequestDb sent it, with what had finished before it began. */
export interface RecordedCall {
  /** The lib-dynamodb command class (`BatchGetCommand`, `QueryCommand`, ...). */
  command: string;
  input: unknown;
  /** Indexes of the calls of the same request that had completed when this one started. */
  after: number[];
}
export type Plan = RecordedCall[];

export interface RoundTripRow {
  /** Contract operation name, or a label for a variant. */
  operation: string;
  kind: 'query' | 'mutation';
  /** What was asked, in words. */
  shape: string;
  /** Calls counted at the wire (every attempt), by DynamoDB operation. */
  calls: Record<string, number>;
  total: number;
  naive: { getItem: number; query: number; writes: number; total: number };
  /** naive total / gateway total */
  ratio: number;
  /** Calls issued one after another (the longest chain of dependent calls). */
  sequential: number;
}

const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
]);

export interface InProcessGateway {
  config: Config;
  /** Runs one operation through app.fetch; returns the parsed body, the wire calls and the plan. */
  run(
    op: DocumentOperation | { name: string; kind: 'query' | 'mutation'; text: string },
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<{
    body: { data?: Record<string, unknown> | null; errors?: unknown[] };
    calls: Record<string, number>;
    total: number;
    plan: Plan;
  }>;
}

/**
 * The real app (createApp, production settings) in this process, on the bench's table, with its
 * document client wrapped so that every command RequestDb sends is recorded (for the direct-SDK
 * baseline to replay) and its wire counter diffed around each request. One request at a time.
 */
export function inProcessGateway(
  dynamo: Dynamo,
  tableName: string,
  endpoint: string,
  secrets: Secrets,
  orderStatusShards: number,
): InProcessGateway {
  const config = loadConfig({
    NODE_ENV: 'production',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    JWT_SECRET: secrets.jwtSecret,
    CURSOR_SECRET: secrets.cursorSecret,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MUTATIONS: '1000000',
    RESPONSE_CACHE_TTL_SECONDS: '0',
    ORDER_STATUS_SHARDS: String(orderStatusShards),
  });
  let recording: { calls: RecordedCall[]; done: number[] } = { calls: [], done: [] };
  const real = dynamo.doc;
  const send = async (command: { input: unknown; constructor: { name: string } }) => {
    const target = recording;
    const index = target.calls.length;
    target.calls.push({
      command: command.constructor.name,
      input: structuredClone(command.input),
      after: [...target.done],
    });
    try {
      return await real.send(command as never);
    } finally {
      target.done.push(index);
    }
  };
  const doc = new Proxy(real, {
    get(target, property) {
      if (property === 'send') return send;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as DynamoDBDocumentClient;
  const app = createApp({
    config,
    logger: createLogger('silent'),
    client: dynamo.client,
    doc,
  });
  return {
    config,
    async run(op, variables, token) {
      recording = { calls: [], done: [] };
      const before = dynamo.wire.snapshot();
      const body = JSON.stringify({ query: op.text, operationName: op.name, variables });
      const response = await app.fetch('http://bench/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          'content-length': String(Buffer.byteLength(body)),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
      const parsed = (await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: unknown[];
      };
      return { body: parsed, ...dynamo.wire.since(before), plan: recording.calls };
    },
  };
}

/** The longest chain of calls that had to wait for one another. */
export function sequentialDepth(plan: Plan): number {
  const depth: number[] = [];
  plan.forEach((call, i) => {
    depth[i] = 1 + Math.max(0, ...call.after.map((j) => depth[j] ?? 0));
  });
  return Math.max(0, ...depth);
}

export interface ScenarioVariant {
  variables: Record<string, unknown>;
  /** Customer id to sign a token for (Me), or none (public). */
  customer?: string;
}

/** The variants each load scenario rotates through (the same for gateway and direct SDK). */
export function scenarioVariants(data: BenchData): Record<string, ScenarioVariant[]> {
  return {
    ProductPage: data.reviewedProducts.map((id) => ({ variables: { id, reviews: 10 } })),
    CategoryPage: data.bigCategories.map((slug) => ({ variables: { slug, first: 20 } })),
    Me: data.meCustomers.map((customer) => ({ variables: { orders: 10 }, customer })),
    Featured: [{ variables: { first: 20 } }],
  };
}

const expectOk = (
  name: string,
  body: { data?: Record<string, unknown> | null; errors?: unknown[] },
): Record<string, unknown> => {
  if (body.errors?.length || !body.data) {
    throw new Error(
      `${name} failed in the round-trip run: ${JSON.stringify(body).slice(0, 2_000)}`,
    );
  }
  return body.data;
};

/** `__typename` of a mutation's result must be its success type. */
function expectSuccess(name: string, data: Record<string, unknown>, field: string): void {
  const result = data[field] as { __typename?: string } | undefined;
  if (!result?.__typename?.endsWith('Success')) {
    throw new Error(`${name} did not succeed: ${JSON.stringify(data).slice(0, 2_000)}`);
  }
}

/**
 * Every query and mutation of documents/ (subscriptions excluded), run one at a time through
 * the in-process gateway on the bench data, in the order a storefront, a customer and an admin
 * would use them; plus `products(ids:)` without stock, the other half of that target.
 */
export async function measureRoundTrips(
  gateway: InProcessGateway,
  data: BenchData,
  secrets: Secrets,
): Promise<RoundTripRow[]> {
  const ops = documentOperations();
  const op = (name: string) => {
    const found = ops.get(name);
    if (!found) throw new Error(`no operation ${name} in documents/`);
    return found;
  };
  const rows: RoundTripRow[] = [];
  const shards = gateway.config.orderStatusShards;
  const run = async (
    operation: DocumentOperation,
    shape: string,
    variables: Record<string, unknown>,
    token?: string,
    label = operation.name,
  ) => {
    const { body, calls, total, plan } = await gateway.run(operation, variables, token);
    const response = expectOk(label, body);
    const reads = naiveReads(schema, operation.text, response, { orderStatusShards: shards });
    const writes = Object.entries(calls)
      .filter(([name]) => WRITE_OPERATIONS.has(name))
      .reduce((sum, [, n]) => sum + n, 0);
    const naiveTotal = reads.getItem + reads.query + writes;
    rows.push({
      operation: label,
      kind: operation.kind === 'mutation' ? 'mutation' : 'query',
      shape,
      calls,
      total,
      naive: { ...reads, writes, total: naiveTotal },
      ratio: total === 0 ? Number.NaN : naiveTotal / total,
      sequential: sequentialDepth(plan),
    });
    return response;
  };

  const runId = Date.now().toString(36);
  const customerId = `bench-rt-${runId}`;
  const customer = await signDevToken(secrets.jwtSecret, { sub: customerId });
  const admin = await signDevToken(secrets.jwtSecret, { sub: 'bench-admin', admin: true });
  const meToken = await signDevToken(secrets.jwtSecret, { sub: data.meCustomers[0]! });
  const [productA, productB] = data.stockedProducts;

  // Public catalog.
  await run(op('Categories'), 'all categories', {});
  const page = await run(op('CategoryPage'), '20 products with stock', {
    slug: data.bigCategories[0],
    first: 20,
  });
  const categoryId = (page.category as { id: string }).id;
  await run(op('ProductPage'), '10 reviews with their authors', {
    id: data.reviewedProducts[0],
    reviews: 10,
  });
  await run(op('Products'), '100 ids, with stock', { ids: data.hundredProducts });
  await run(
    {
      name: 'ProductsNoStock',
      kind: 'query',
      text: 'query ProductsNoStock($ids: [ID!]!) { products(ids: $ids) { id name priceCents } }',
    },
    '100 ids, without stock',
    { ids: data.hundredProducts },
    undefined,
    'Products (no stock)',
  );
  await run(op('Featured'), 'first 20', { first: 20 });
  await run(op('NodeLookup'), 'a product', { id: data.reviewedProducts[0] });
  await run(op('NodeLookup'), 'a category', { id: categoryId }, undefined, 'NodeLookup (category)');

  // Customer.
  const created = await run(
    op('CreateProfile'),
    'new customer',
    { input: { name: 'Bench Round Trip', email: `${customerId}@example.com` } },
    customer,
  );
  expectSuccess('CreateProfile', created, 'createProfile');
  expectSuccess(
    'AddToCart',
    await run(
      op('AddToCart'),
      'first line of the cart',
      { productId: productA, quantity: 2 },
      customer,
    ),
    'addToCart',
  );
  await run(
    op('AddToCart'),
    'second line',
    { productId: productB, quantity: 1 },
    customer,
    'AddToCart (2nd line)',
  );
  expectSuccess(
    'RemoveFromCart',
    await run(op('RemoveFromCart'), 'one of two lines', { productId: productB }, customer),
    'removeFromCart',
  );
  await run(op('Me'), `10 orders of 3 lines, cart of 3`, { orders: 10 }, meToken);
  const placed = await run(
    op('PlaceOrder'),
    'from the cart (1 line)',
    { input: { idempotencyKey: `rt-${runId}-1`, fromCart: true } },
    customer,
  );
  expectSuccess('PlaceOrder', placed, 'placeOrder');
  const orderId = (placed.placeOrder as { order: { id: string } }).order.id;
  const second = await run(
    op('PlaceOrder'),
    '2 lines',
    {
      input: {
        idempotencyKey: `rt-${runId}-2`,
        lines: [
          { productId: productA, quantity: 1 },
          { productId: productB, quantity: 1 },
        ],
      },
    },
    customer,
    'PlaceOrder (2 lines)',
  );
  const secondId = (second.placeOrder as { order: { id: string } }).order.id;
  await run(
    op('PlaceOrder'),
    'replay of the same key',
    { input: { idempotencyKey: `rt-${runId}-1`, fromCart: true } },
    customer,
    'PlaceOrder (idempotent replay)',
  );
  await run(op('Order'), 'own order, 1 line', { id: orderId }, customer);
  expectSuccess(
    'CancelOrder',
    await run(op('CancelOrder'), 'PENDING order', { orderId }, customer),
    'cancelOrder',
  );
  expectSuccess(
    'AddReview',
    await run(
      op('AddReview'),
      'first review',
      { input: { productId: data.unreviewedProduct, rating: 5, body: 'Great value.' } },
      customer,
    ),
    'addReview',
  );

  // Admin.
  const slug = `bench-rt-${runId}`;
  expectSuccess(
    'CreateCategory',
    await run(op('CreateCategory'), 'new slug', { input: { slug, name: 'Round trips' } }, admin),
    'createCategory',
  );
  const product = await run(
    op('CreateProduct'),
    'with stock',
    {
      input: {
        name: 'Round-trip widget',
        description: 'Counted',
        priceCents: 1_234,
        categorySlug: slug,
        stock: 10,
      },
    },
    admin,
  );
  expectSuccess('CreateProduct', product, 'createProduct');
  const newId = (product.createProduct as { product: { id: string } }).product.id;
  expectSuccess(
    'UpdateProduct',
    await run(
      op('UpdateProduct'),
      'price change',
      { input: { id: newId, expectedVersion: 1, priceCents: 1_299 } },
      admin,
    ),
    'updateProduct',
  );
  expectSuccess(
    'Restock',
    await run(op('Restock'), '+5', { productId: newId, quantity: 5 }, admin),
    'restock',
  );
  expectSuccess(
    'SetOrderStatus',
    await run(
      op('SetOrderStatus'),
      'PENDING to PAID',
      { orderId: secondId, status: 'PAID' },
      admin,
    ),
    'setOrderStatus',
  );
  await run(
    op('OrdersByStatus'),
    `PAID, first 20 (${shards} shards)`,
    { status: 'PAID', first: 20 },
    admin,
  );
  await run(
    op('Customer'),
    'a profile',
    { id: encodeGlobalID('Customer', data.meCustomers[0]!) },
    admin,
  );

  // Every query and mutation of documents/ must have a row.
  const covered = new Set(rows.map((r) => r.operation.split(' ')[0]));
  const missing = [...ops.values()]
    .filter((o) => o.kind !== 'subscription' && !covered.has(o.name))
    .map((o) => o.name);
  if (missing.length > 0) throw new Error(`round trips miss ${missing.join(', ')}`);
  return rows;
}

/**
 * The DynamoDB calls of each load-scenario variant, as the gateway sends them: what the direct
 * SDK baseline replays (same commands, same keys, same order and overlap).
 */
export async function recordPlans(
  gateway: InProcessGateway,
  data: BenchData,
  secrets: Secrets,
): Promise<{ plans: Record<string, Plan[]>; callsPerRequest: Record<string, number> }> {
  const ops = documentOperations();
  const plans: Record<string, Plan[]> = {};
  const callsPerRequest: Record<string, number> = {};
  for (const [name, variants] of Object.entries(scenarioVariants(data))) {
    const op = ops.get(name);
    if (!op) throw new Error(`no operation ${name}`);
    plans[name] = [];
    let calls = 0;
    for (const variant of variants) {
      const token = variant.customer
        ? await signDevToken(secrets.jwtSecret, { sub: variant.customer })
        : undefined;
      const { body, plan, total } = await gateway.run(op, variant.variables, token);
      expectOk(name, body);
      if (plan.length !== total) {
        throw new Error(`${name}: ${plan.length} recorded calls but ${total} on the wire`);
      }
      plans[name].push(plan);
      calls += total;
    }
    callsPerRequest[name] = calls / variants.length;
  }
  return { plans, callsPerRequest };
}
