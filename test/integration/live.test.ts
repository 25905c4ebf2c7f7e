import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import type { Product } from '../../src/domain/types.js';
import { createShopPubSub, publishEvent, type ShopPubSub } from '../../src/events/pubsub.js';
import type { StreamReader } from '../../src/events/stream-reader.js';
import { createFleet } from '../../src/fleet/fleet.js';
import { categoryItem } from '../../src/models/category.js';
import { customerItem } from '../../src/models/customer.js';
import { inventoryItem, inventoryKey } from '../../src/models/inventory.js';
import { orderKey } from '../../src/models/order.js';
import { productItem } from '../../src/models/product.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCategory, aCustomer, aProduct, putItems } from '../helpers/fixtures.js';
import { SseReader } from '../helpers/sse.js';
import { startTestStreamReader } from '../helpers/stream.js';

let table: TestTable;
let t: TestApp;
let reader: StreamReader;
const shutdown = new AbortController();
let products: Product[];
let admin: string;
let pubsub: ShopPubSub;

beforeAll(async () => {
  table = await createTestTable('live');
  pubsub = createShopPubSub();
  const fleet = createFleet({ redis: undefined }, createLogger('silent'));
  t = createTestApp(
    table,
    { RESPONSE_CACHE_TTL_SECONDS: '300' },
    { pubsub, fleet, shutdown: shutdown.signal },
  );
  products = Array.from({ length: 3 }, (_, i) =>
    aProduct({ categorySlug: 'live', name: `Live ${i}`, featured: true, priceCents: 100 + i }),
  );
  await putItems(table, [
    categoryItem(aCategory('live', 3)),
    ...products.map(productItem),
    ...products.map((p) => inventoryItem({ productId: p.id, stock: 10, updatedAt: p.updatedAt })),
    customerItem(aCustomer('live-owner')),
    customerItem(aCustomer('live-other')),
  ]);
  reader = await startTestStreamReader(table, pubsub, fleet);
  admin = await t.token('live-admin', true);
});
afterAll(async () => {
  await reader.stop();
  await table.drop();
});

async function subscribe(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await t.app.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return new SseReader(response);
}

const STOCK =
  'subscription Stock($productId: ID!) { stockChanged(productId: $productId) { id stock } }';
const ORDER_STATUS =
  'subscription OrderStatus($orderId: ID!) { orderStatusChanged(orderId: $orderId) { id status } }';

describe('subscriptions fed by the DynamoDB stream', () => {
  it('stockChanged reaches a subscriber for a write made directly with the SDK, not through GraphQL', async () => {
    const product = products[0]!;
    const sse = await subscribe(STOCK, { productId: encodeGlobalID('Product', product.id) });
    // Give the subscription a moment to register before writing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await table.dynamo.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: inventoryKey(product.id),
        UpdateExpression: 'SET stock = :s',
        ExpressionAttributeValues: { ':s': 4 },
      }),
    );
    const event = await sse.next();
    const lag = Date.now() - started;
    expect(event?.event).toBe('next');
    expect(event?.data).toEqual({
      data: { stockChanged: { id: encodeGlobalID('Product', product.id), stock: 4 } },
    });
    // A second change is a fresh answer, not a cached one.
    await table.dynamo.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: inventoryKey(product.id),
        UpdateExpression: 'SET stock = :s',
        ExpressionAttributeValues: { ':s': 9 },
      }),
    );
    expect((await sse.next())?.data).toMatchObject({ data: { stockChanged: { stock: 9 } } });
    // An image older than one delivered (an earlier updatedAt; a re-read record): dropped.
    publishEvent(pubsub, {
      type: 'stock',
      productId: product.id,
      stock: 10,
      item: {
        ...inventoryItem({
          productId: product.id,
          stock: 10,
          updatedAt: '2001-01-01T00:00:00.000Z',
        }),
      },
    });
    // Another product's change does not reach this subscriber.
    await table.dynamo.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: inventoryKey(products[1]!.id),
        UpdateExpression: 'SET stock = :s',
        ExpressionAttributeValues: { ':s': 1 },
      }),
    );
    expect(await sse.next(1_000)).toBeNull();
    await sse.close();
    console.info(`live: a direct SDK write reached the stockChanged subscriber in ${lag} ms`);
  });

  it('orderStatusChanged serves the owner and admins, and refuses anyone else', async () => {
    const owner = await t.token('live-owner');
    const placed = expectData(
      await t.gql<{ placeOrder: { order: { id: string } } }>(
        'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { ... on PlaceOrderSuccess { order { id } } } }',
        {
          i: {
            idempotencyKey: 'live-order',
            lines: [{ productId: encodeGlobalID('Product', products[2]!.id), quantity: 1 }],
          },
        },
        { token: owner },
      ),
    );
    const orderId = placed.placeOrder.order.id;
    const mine = await subscribe(ORDER_STATUS, { orderId }, owner);
    const adminView = await subscribe(ORDER_STATUS, { orderId }, admin);
    // Read both streams from now on, as a client does; each subscription reads the order
    // (consistently) before it listens.
    const firstEvents = [mine.next(), adminView.next()];
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.gql(
      'mutation($o: ID!) { setOrderStatus(orderId: $o, status: PAID) { __typename } }',
      { o: orderId },
      { token: admin },
    );
    // The order's creation (PENDING) may still be in the stream when the subscriptions read the
    // order: it is older than what they read, so PAID is their first event.
    const [mineFirst, adminFirst] = await Promise.all(firstEvents);
    for (const first of [mineFirst, adminFirst]) {
      expect(first?.data).toEqual({
        data: { orderStatusChanged: { id: orderId, status: 'PAID' } },
      });
    }
    // A write made outside GraphQL reaches them too. The global id is base64("Order:cid:oid").
    const node = Buffer.from(orderId, 'base64').toString().split(':');
    // A stale image handed over again (a record re-read after a lease moved): dropped.
    publishEvent(pubsub, {
      type: 'order',
      customerId: node[1]!,
      orderId: node[2]!,
      status: 'PENDING',
      previousStatus: null,
      item: { entity: 'Order', id: node[2], customerId: node[1], status: 'PENDING' },
    });
    await table.dynamo.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: orderKey(node[1]!, node[2]!),
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'SHIPPED' },
      }),
    );
    expect((await mine.next())?.data).toMatchObject({
      data: { orderStatusChanged: { status: 'SHIPPED' } },
    });
    await mine.close();
    await adminView.close();

    const other = await subscribe(ORDER_STATUS, { orderId }, await t.token('live-other'));
    const refused = await other.next();
    expect(JSON.stringify(refused?.data)).toMatch(/Order not found/);
    expect(JSON.stringify(refused?.data)).not.toMatch(/SHIPPED|totalCents/);
    const anonymous = await subscribe(ORDER_STATUS, { orderId });
    expect(JSON.stringify((await anonymous.next())?.data)).toMatch(/UNAUTHENTICATED/);
  });
});

describe('the response cache of public catalog reads', () => {
  const FEATURED =
    'query Featured($first: Int) { featuredProducts(first: $first) { edges { node { id name priceCents } } } }';
  type Featured = {
    featuredProducts: { edges: Array<{ node: { id: string; name: string; priceCents: number } }> };
  };
  const hit = (response: { extensions?: Record<string, unknown> }) =>
    (response.extensions?.responseCache as { hit?: boolean } | undefined)?.hit === true;

  /**
   * Reads Featured until the answer comes from the cache. Stream events of earlier writes (the
   * previous test's updateProduct) may still arrive and invalidate the first cached copy; the
   * read must become a hit once they have passed.
   */
  async function untilCached(): Promise<boolean> {
    const started = Date.now();
    while (Date.now() - started < 5_000) {
      await t.gql(FEATURED, { first: 10 });
      if (hit(await t.gql(FEATURED, { first: 10 }))) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  it('serves a repeated anonymous read from the cache with no DynamoDB call; a signed-in read is never cached', async () => {
    expect(await untilCached()).toBe(true);
    const again = await t.wireCalls(() => t.gql<Featured>(FEATURED, { first: 10 }));
    expect(hit(again.result)).toBe(true);
    expect(again.total).toBe(0);
    const signedIn = await t.wireCalls(async () =>
      t.gql<Featured>(FEATURED, { first: 10 }, { token: await t.token('live-owner') }),
    );
    expect(hit(signedIn.result)).toBe(false);
    expect(signedIn.total).toBeGreaterThan(0);
  });

  it('after updateProduct the next read is fresh', async () => {
    const product = products[1]!;
    expect(await untilCached()).toBe(true);
    const updated = await t.gql<{ updateProduct: { __typename: string } }>(
      'mutation($i: UpdateProductInput!) { updateProduct(input: $i) { __typename ... on UpdateProductSuccess { product { id name } } } }',
      {
        i: {
          id: encodeGlobalID('Product', product.id),
          expectedVersion: 1,
          name: 'Renamed by admin',
        },
      },
      { token: admin },
    );
    expect(expectData(updated).updateProduct.__typename).toBe('UpdateProductSuccess');
    const next = await t.gql<Featured>(FEATURED, { first: 10 });
    expect(expectData(next).featuredProducts.edges.map((e) => e.node.name)).toContain(
      'Renamed by admin',
    );
  });

  it('after a direct SDK write the stream invalidates the cached read', async () => {
    const product = products[0]!;
    expect(await untilCached()).toBe(true);
    const started = Date.now();
    await table.dynamo.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: productItem({ ...product, name: 'Renamed outside GraphQL', version: 5 }),
      }),
    );
    let names: string[] = [];
    while (Date.now() - started < 5_000) {
      names = expectData(await t.gql<Featured>(FEATURED, { first: 10 })).featuredProducts.edges.map(
        (e) => e.node.name,
      );
      if (names.includes('Renamed outside GraphQL')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(names).toContain('Renamed outside GraphQL');
    console.info(
      `live: a direct SDK write invalidated the cached Featured read within ${Date.now() - started} ms`,
    );
  });
});

describe('graceful shutdown of subscriptions', () => {
  it('aborting the shutdown signal completes open subscriptions', async () => {
    const sse = await subscribe(STOCK, { productId: encodeGlobalID('Product', products[2]!.id) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    shutdown.abort();
    const last = await sse.next(5_000);
    expect(last === null ? sse.done : last.event === 'complete').toBe(true);
    expect(sse.done || last?.event === 'complete').toBe(true);
  });
});
