import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerServer, type PeerServer } from '../../scripts/bench/peer/server.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { type BenchData, loadBenchData, productGid } from '../../src/dev/bench/dataset.js';
import {
  type InProcessGateway,
  inProcessGateway,
  scenarioVariants,
} from '../../src/dev/bench/roundtrips.js';
import { documentOperations } from '../../src/dev/documents.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';

/**
 * The benchmark's peer (scripts/bench/peer-server.ts, an Apollo Server of its own over the same
 * table) answers the bench's query texts with the same data as the gateway, cursors aside (each
 * side has its own format), and makes the DynamoDB calls its design makes: one BatchGetItem per
 * entity and round of DataLoader batching, one Query per list.
 */
const secrets = { jwtSecret: 'p'.repeat(40), cursorSecret: 'q'.repeat(40) };
let table: TestTable;
let data: BenchData;
let gateway: InProcessGateway;
let peer: PeerServer;
const tokens = new Map<string, string>();

/** Every attempt the peer's client sent: the operation and, for BatchGetItem, the keys' SKs. */
const peerCalls: Array<{ command: string; sks: string[] }> = [];
const attribute = (value: unknown) =>
  typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S);

beforeAll(async () => {
  table = await createTestTable('bench-peer');
  data = await loadBenchData(table.dynamo.doc, table.tableName, {
    products: 200,
    meCustomers: 2,
    buyers: 0,
    hotStock: 5,
    orderStatusShards: 4,
  });
  gateway = inProcessGateway(table.dynamo, table.tableName, table.endpoint, secrets, 4);
  peer = await createPeerServer({
    tableName: table.tableName,
    jwtSecret: secrets.jwtSecret,
    port: 0,
    dynamo: {
      region: 'us-east-1',
      endpoint: table.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      onCall: (command, input) => {
        const requests = (input as { RequestItems?: Record<string, { Keys: unknown[] }> })
          .RequestItems;
        const keys = Object.values(requests ?? {}).flatMap((r) => r.Keys ?? []);
        peerCalls.push({
          command,
          sks: keys.map((key) => attribute((key as { SK: unknown }).SK)),
        });
      },
    },
  });
  for (const customer of data.meCustomers) {
    tokens.set(customer, await signDevToken(secrets.jwtSecret, { sub: customer }));
  }
}, 120_000);
afterAll(async () => {
  await peer?.stop();
  await table?.drop();
});

type Body = { data?: Record<string, unknown> | null; errors?: unknown[] };
// biome-ignore lint/suspicious/noExplicitAny: the answers are checked field by field
type Answer = Record<string, any>;

const op = (name: string) => {
  const found = documentOperations().get(name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
};

async function askPeer(name: string, variables: Record<string, unknown>, customer?: string) {
  const from = peerCalls.length;
  const { text } = op(name);
  const response = await fetch(`${peer.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(customer ? { authorization: `Bearer ${tokens.get(customer)}` } : {}),
    },
    body: JSON.stringify({ query: text, operationName: name, variables }),
  });
  const body = (await response.json()) as Body;
  return { status: response.status, body, calls: peerCalls.slice(from) };
}

async function askGateway(name: string, variables: Record<string, unknown>, customer?: string) {
  const { body } = await gateway.run(op(name), variables, customer && tokens.get(customer));
  return body;
}

const CURSOR_FIELDS = new Set(['cursor', 'endCursor', 'startCursor']);
/** The response without its cursors: each side encodes its own. */
function withoutCursors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCursors);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !CURSOR_FIELDS.has(key))
        .map(([key, v]) => [key, withoutCursors(v)]),
    );
  }
  return value;
}

/** Both sides, no errors, the same data without cursors; returns both bodies' data. */
async function same(name: string, variables: Record<string, unknown>, customer?: string) {
  const ours = await askGateway(name, variables, customer);
  const theirs = await askPeer(name, variables, customer);
  expect(ours.errors, JSON.stringify(ours.errors)).toBeUndefined();
  expect(theirs.status).toBe(200);
  expect(theirs.body.errors, JSON.stringify(theirs.body.errors)).toBeUndefined();
  expect(withoutCursors(theirs.body.data)).toEqual(withoutCursors(ours.data));
  return {
    ours: ours.data as Answer,
    theirs: theirs.body.data as Answer,
  };
}

/** Calls by operation, and the entity of every BatchGetItem (each must read only one). */
function summary(calls: Array<{ command: string; sks: string[] }>) {
  const byCommand: Record<string, number> = {};
  const batches: Record<string, number[]> = {};
  for (const call of calls) {
    byCommand[call.command] = (byCommand[call.command] ?? 0) + 1;
    if (call.command !== 'BatchGetItem') continue;
    const entities = new Set(call.sks.map((sk) => (sk.startsWith('CATEGORY#') ? 'CATEGORY' : sk)));
    expect(entities.size, `one entity per BatchGetItem: ${[...entities]}`).toBe(1);
    const [entity = ''] = entities;
    batches[entity] = [...(batches[entity] ?? []), call.sks.length];
  }
  return { byCommand, batches };
}

describe('the bench peer', () => {
  it('answers every load variant with the gateway’s data, cursors aside', async () => {
    const variants = scenarioVariants(data);
    for (const name of ['ProductPage', 'CategoryPage', 'Featured', 'Me']) {
      const list = variants[name] ?? [];
      expect(list.length).toBeGreaterThan(0);
      for (const variant of list) {
        const { ours } = await same(name, variant.variables, variant.customer);
        // Never an empty answer compared with an empty answer.
        if (name === 'ProductPage') expect(ours.product.reviews.edges).toHaveLength(10);
        if (name === 'CategoryPage') expect(ours.category.products.edges).toHaveLength(20);
        if (name === 'Featured') expect(ours.featuredProducts.edges.length).toBeGreaterThan(0);
        if (name === 'Me') {
          expect(ours.me.orders.edges).toHaveLength(10);
          expect(ours.me.orders.pageInfo.hasNextPage).toBe(false);
          expect(ours.me.cart.items).toHaveLength(3);
        }
      }
    }
  });

  it('agrees on price ranges, descending order, missing items and the next page', async () => {
    const slug = data.bigCategories[0]!;
    const range = await same('CategoryPage', {
      slug,
      minPriceCents: 2_000,
      maxPriceCents: 20_000,
      sort: 'PRICE_DESC',
      first: 5,
    });
    const prices = range.ours.category.products.edges.map(
      (e: { node: { priceCents: number } }) => e.node.priceCents,
    );
    expect(prices.length).toBeGreaterThan(1);
    expect([...prices].sort((a, b) => b - a)).toEqual(prices);
    expect(prices.every((p: number) => p >= 2_000 && p <= 20_000)).toBe(true);

    // The second page, each side after its own endCursor.
    const first = await same('CategoryPage', { slug, first: 5 });
    const next = async (after: string, asPeer: boolean) =>
      asPeer
        ? (await askPeer('CategoryPage', { slug, first: 5, after })).body
        : await askGateway('CategoryPage', { slug, first: 5, after });
    const ours = await next(first.ours.category.products.pageInfo.endCursor, false);
    const theirs = await next(first.theirs.category.products.pageInfo.endCursor, true);
    expect(theirs.errors).toBeUndefined();
    expect(withoutCursors(theirs.data)).toEqual(withoutCursors(ours.data));
    const ids = (d: Answer) =>
      d.category.products.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids(ours.data!)).toHaveLength(5);
    expect(ids(ours.data!).some((id: string) => ids(first.ours).includes(id))).toBe(false);

    // Me's orders, a page of 4 and the next one.
    const customer = data.meCustomers[0]!;
    const me = await same('Me', { orders: 4 }, customer);
    expect(me.ours.me.orders.pageInfo.hasNextPage).toBe(true);
    // Cursors differ in format: the page after each side's own cursor.
    const oursNext = await askGateway(
      'Me',
      { orders: 4, after: me.ours.me.orders.pageInfo.endCursor },
      customer,
    );
    const theirsNext = await askPeer(
      'Me',
      { orders: 4, after: me.theirs.me.orders.pageInfo.endCursor },
      customer,
    );
    expect(withoutCursors(theirsNext.body.data)).toEqual(withoutCursors(oursNext.data));
    expect((oursNext.data as Answer).me.orders.edges).toHaveLength(4);

    const missing = await same('ProductPage', { id: productGid('no-such-product'), reviews: 3 });
    expect(missing.ours.product).toBeNull();
  });

  it('makes the calls its design makes, counted at its SDK middleware', async () => {
    const variants = scenarioVariants(data);
    const calls = async (name: string, i = 0) => {
      const variant = variants[name]![i]!;
      const { body, calls } = await askPeer(name, variant.variables, variant.customer);
      expect(body.errors).toBeUndefined();
      return { body, ...summary(calls) };
    };

    // The product; then its stock, its category (two loaders, two batches) and the reviews
    // Query side by side; then the ten authors in one batch.
    const product = await calls('ProductPage');
    expect(product.byCommand).toEqual({ BatchGetItem: 4, Query: 1 });
    expect(product.batches).toEqual({ PRODUCT: [1], INVENTORY: [1], CATEGORY: [1], PROFILE: [10] });

    // The category; its products from GSI1 (the items themselves, projection ALL); their stock.
    const category = await calls('CategoryPage');
    expect(category.byCommand).toEqual({ BatchGetItem: 2, Query: 1 });
    expect(category.batches).toEqual({ CATEGORY: [1], INVENTORY: [20] });

    expect((await calls('Featured')).byCommand).toEqual({ Query: 1 });

    // The profile; the cart and the orders Queries; the products of the cart lines and order
    // lines (one batch, or two when the Queries answer in different turns of the event loop),
    // each product asked once; the cart products' stock.
    const me = await calls('Me');
    expect(me.byCommand.Query).toBe(2);
    expect(me.batches.PROFILE).toEqual([1]);
    expect(me.batches.INVENTORY).toEqual([3]);
    const productBatches = me.batches.PRODUCT ?? [];
    expect(productBatches.length).toBeGreaterThanOrEqual(1);
    expect(productBatches.length).toBeLessThanOrEqual(2);
    const answer = me.body.data as Answer;
    const productIds = new Set<string>([
      ...answer.me.cart.items.map((i: { product: { id: string } }) => i.product.id),
      ...answer.me.orders.edges.flatMap(
        (e: { node: { lines: Array<{ product: { id: string } }> } }) =>
          e.node.lines.map((l) => l.product.id),
      ),
    ]);
    expect(productBatches.reduce((sum, n) => sum + n, 0)).toBe(productIds.size);
    expect(me.byCommand.BatchGetItem).toBe(2 + productBatches.length);

    // The counts the bench reads on /stats are the same counter.
    const stats = (await (await fetch(`${peer.origin}/stats`)).json()) as Record<string, number>;
    expect(stats).toEqual(peer.calls());
    expect(Object.values(stats).reduce((a, b) => a + b, 0)).toBe(peerCalls.length);
  });
});
