/**
 * A storefront, a customer and an admin using every operation of a set of client documents, in
 * the order they would, against the real app on a table holding the sample catalog (what
 * `npm start` serves), with the DynamoDB stream feeding the subscriptions. documents/ runs it
 * (test/integration/documents.test.ts); so does the shared contract when it is checked out
 * (test/acceptance/shared-contract.test.ts).
 */

import { expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import type { DocumentOperation } from '../../src/dev/documents.js';
import { loadSampleData, SAMPLE_PRODUCTS } from '../../src/dev/sample/catalog.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import { createFleet } from '../../src/fleet/fleet.js';
import { createTestApp, type TestApp } from './app.js';
import { createTestTable, type TestTable } from './dynamo.js';
import { expectOk, type OperationData, openGraphQL, sendGraphQL } from './graphql.js';
import { SseReader } from './sse.js';
import { startTestStreamReader } from './stream.js';

export interface StorefrontApp {
  t: TestApp;
  table: TestTable;
  stop(): Promise<void>;
}

/** The app with the sample catalog and a stream reader, as `npm start` runs it, in-process. */
export async function startStorefrontApp(prefix: string): Promise<StorefrontApp> {
  const table = await createTestTable(prefix);
  await loadSampleData(table.dynamo.doc, table.tableName, { products: SAMPLE_PRODUCTS });
  const pubsub = createShopPubSub();
  const shutdown = new AbortController();
  const fleet = createFleet({ redis: undefined }, createLogger('silent'));
  const t = createTestApp(table, {}, { pubsub, fleet, shutdown: shutdown.signal });
  const reader = await startTestStreamReader(table, pubsub, fleet);
  return {
    t,
    table,
    async stop() {
      shutdown.abort();
      await reader.stop();
      await table.drop();
    },
  };
}

type Data = OperationData;

/**
 * Registers the scenario's tests (inside a describe). `operations` are the documents' operations
 * by name; every one of them must be run, which the last test checks.
 */
export function storefrontScenario(
  operations: () => Map<string, DocumentOperation>,
  app: () => StorefrontApp,
): void {
  const ran = new Set<string>();
  const state: Record<string, string> = {};
  let customer: string;
  let admin: string;

  const op = (name: string): DocumentOperation => {
    const found = operations().get(name);
    if (!found) throw new Error(`the documents have no operation ${name}`);
    return found;
  };
  const run = async (
    name: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<Data> => {
    const { text } = op(name);
    const reply = await sendGraphQL(
      app().t.app,
      { query: text, operationName: name, variables },
      token ? { token } : {},
    );
    ran.add(name);
    return expectOk(reply, name);
  };
  const subscribe = async (name: string, variables: Record<string, unknown>, token?: string) => {
    const response = await openGraphQL(
      app().t.app,
      { query: op(name).text, operationName: name, variables },
      { accept: 'text/event-stream', ...(token ? { token } : {}) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    ran.add(name);
    return new SseReader(response);
  };

  it('public catalog: Categories, CategoryPage (two pages), ProductPage, Products, Featured, NodeLookup', async () => {
    Object.assign(state, await checkPublicCatalog(run));
  });

  it('customer: CreateProfile, AddToCart, RemoveFromCart, Me, PlaceOrder, Order, CancelOrder, AddReview', async () => {
    customer = await app().t.token(`storefront-${Date.now()}`);
    const created = await run(
      'CreateProfile',
      { input: { name: 'Storefront Customer', email: `storefront-${Date.now()}@example.com` } },
      customer,
    );
    expect(created.createProfile.__typename).toBe('CreateProfileSuccess');
    const added = await run('AddToCart', { productId: state.productId, quantity: 2 }, customer);
    expect(added.addToCart.__typename).toBe('AddToCartSuccess');
    await run('AddToCart', { productId: state.productId2, quantity: 1 }, customer);
    const removed = await run('RemoveFromCart', { productId: state.productId2 }, customer);
    expect(removed.removeFromCart.cart.items.map((i: Data) => i.product.id)).toEqual([
      state.productId,
    ]);
    const before = await run('Me', { orders: 5 }, customer);
    expect(before.me.cart.items).toHaveLength(1);
    expect(before.me.cart.totalCents).toBeGreaterThan(0);

    const placed = await run(
      'PlaceOrder',
      { input: { idempotencyKey: 'storefront-order-1', fromCart: true } },
      customer,
    );
    expect(placed.placeOrder.__typename).toBe('PlaceOrderSuccess');
    state.orderId = placed.placeOrder.order.id;
    const replay = await run(
      'PlaceOrder',
      { input: { idempotencyKey: 'storefront-order-1', fromCart: true } },
      customer,
    );
    expect(replay.placeOrder.order.id).toBe(state.orderId);

    const after = await run('Me', { orders: 5 }, customer);
    expect(after.me.orderCount).toBe(1);
    expect(after.me.cart.items).toEqual([]);
    expect(after.me.orders.edges[0].node.id).toBe(state.orderId);
    const order = await run('Order', { id: state.orderId }, customer);
    expect(order.order.lines[0].quantity).toBe(2);
    expect((await run('NodeLookup', { id: state.orderId }, customer)).node.status).toBe('PENDING');

    const second = await run(
      'PlaceOrder',
      {
        input: {
          idempotencyKey: 'storefront-order-2',
          lines: [{ productId: state.productId2, quantity: 1 }],
        },
      },
      customer,
    );
    const cancelled = await run('CancelOrder', { orderId: second.placeOrder.order.id }, customer);
    expect(cancelled.cancelOrder.order.status).toBe('CANCELLED');
    const review = await run(
      'AddReview',
      { input: { productId: state.productId, rating: 5, body: 'Works well.' } },
      customer,
    );
    expect(review.addReview.__typename).toBe('AddReviewSuccess');
    expect(review.addReview.product.rating.count).toBeGreaterThan(0);
    expect((await run('NodeLookup', { id: order.order.customer.id }, customer)).node.name).toBe(
      'Storefront Customer',
    );
  });

  it('admin: CreateCategory, CreateProduct, UpdateProduct, Restock, SetOrderStatus, OrdersByStatus, Customer', async () => {
    admin = await app().t.token('storefront-admin', true);
    const slug = `storefront-${Date.now()}`;
    const category = await run(
      'CreateCategory',
      { input: { slug, name: 'Storefront category' } },
      admin,
    );
    expect(category.createCategory.__typename).toBe('CreateCategorySuccess');
    const created = await run(
      'CreateProduct',
      {
        input: {
          name: 'Storefront kettle',
          description: 'Boils water.',
          priceCents: 2599,
          currency: 'USD',
          categorySlug: slug,
          featured: true,
          stock: 3,
        },
      },
      admin,
    );
    const product = created.createProduct.product;
    expect(product).toMatchObject({ stock: 3, version: 1 });
    const updated = await run(
      'UpdateProduct',
      { input: { id: product.id, expectedVersion: 1, priceCents: 2499 } },
      admin,
    );
    expect(updated.updateProduct.product).toMatchObject({ priceCents: 2499, version: 2 });
    const stale = await run(
      'UpdateProduct',
      { input: { id: product.id, expectedVersion: 1, name: 'x' } },
      admin,
    );
    expect(stale.updateProduct).toMatchObject({
      __typename: 'VersionConflictError',
      currentVersion: 2,
    });
    const restocked = await run('Restock', { productId: product.id, quantity: 7 }, admin);
    expect(restocked.restock.product.stock).toBe(10);
    const paid = await run('SetOrderStatus', { orderId: state.orderId, status: 'PAID' }, admin);
    expect(paid.setOrderStatus.order.status).toBe('PAID');
    const byStatus = await run('OrdersByStatus', { status: 'PAID', first: 10 }, admin);
    expect(byStatus.ordersByStatus.edges.map((e: Data) => e.node.id)).toContain(state.orderId);
    const owner = byStatus.ordersByStatus.edges.find((e: Data) => e.node.id === state.orderId).node
      .customer.id;
    const profile = await run('Customer', { id: owner }, admin);
    expect(profile.customer.name).toBe('Storefront Customer');
  });

  it('subscriptions: Stock and OrderStatus over SSE, fed by the DynamoDB stream', async () => {
    const stock = await subscribe('Stock', { productId: state.productId2 });
    const status = await subscribe('OrderStatus', { orderId: state.orderId }, customer);
    const first = [stock.next(15_000), status.next(15_000)];
    await new Promise((resolve) => setTimeout(resolve, 500));
    await run('Restock', { productId: state.productId2, quantity: 5 }, admin);
    await run('SetOrderStatus', { orderId: state.orderId, status: 'SHIPPED' }, admin);
    const [stockEvent, firstStatus] = await Promise.all(first);
    expect(stockEvent?.data).toMatchObject({ data: { stockChanged: { id: state.productId2 } } });
    // The stream may still deliver the PAID change made just before: every event is this
    // order's, in order, and SHIPPED arrives.
    const statuses: unknown[] = [];
    let event = firstStatus;
    while (event && statuses.length < 5) {
      const change = (event.data as Data)?.data?.orderStatusChanged;
      expect(change?.id).toBe(state.orderId);
      statuses.push(change?.status);
      if (change?.status === 'SHIPPED') break;
      event = await status.next(15_000);
    }
    expect(statuses.at(-1)).toBe('SHIPPED');
    expect(statuses.slice(0, -1).every((s) => s === 'PAID')).toBe(true);
    await stock.close();
    await status.close();
  });

  it('ran every operation of the documents', () => {
    expect([...ran].sort()).toEqual([...operations().keys()].sort());
  });
}

/** Sends an operation by name and returns its data, failing on any error. */
export type RunOperation = (
  name: string,
  variables?: Record<string, unknown>,
  token?: string,
) => Promise<Data>;

/**
 * The public catalog as a storefront reads it, on the sample catalog: Categories, CategoryPage
 * (two pages, in price order), ProductPage, Products, Featured, NodeLookup. Returns two product
 * ids and the category's id for what follows.
 */
export async function checkPublicCatalog(
  run: RunOperation,
): Promise<{ productId: string; productId2: string; categoryId: string }> {
  const { categories } = await run('Categories');
  expect(categories.length).toBeGreaterThan(5);
  const category = categories.find((c: Data) => c.productCount >= 6);
  const first = await run('CategoryPage', { slug: category.slug, first: 3 });
  expect(first.category.products.edges).toHaveLength(3);
  expect(first.category.products.pageInfo.hasNextPage).toBe(true);
  const second = await run('CategoryPage', {
    slug: category.slug,
    first: 3,
    after: first.category.products.pageInfo.endCursor,
  });
  const prices = [...first.category.products.edges, ...second.category.products.edges].map(
    (e: Data) => e.node.priceCents,
  );
  expect(prices).toEqual([...prices].sort((a, b) => a - b));
  const productId = first.category.products.edges[0].node.id;
  const productId2 = first.category.products.edges[1].node.id;
  const categoryId = first.category.id;
  const page = await run('ProductPage', { id: productId, reviews: 10 });
  expect(page.product.id).toBe(productId);
  expect(page.product.category.slug).toBe(category.slug);
  const { products } = await run('Products', { ids: [productId, productId2] });
  expect(products.map((p: Data) => p.id)).toEqual([productId, productId2]);
  const featured = await run('Featured', { first: 5 });
  expect(featured.featuredProducts.edges.length).toBeGreaterThan(0);
  const node = await run('NodeLookup', { id: productId });
  expect(node.node.name).toBe(page.product.name);
  expect((await run('NodeLookup', { id: categoryId })).node.slug).toBe(category.slug);
  return { productId, productId2, categoryId };
}
