import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import {
  type ContractData,
  contractBody,
  contractOperationNames,
  runContract,
} from '../helpers/contract.js';
import { type StartedServer, startServer, stopServer } from '../helpers/server.js';
import { SseReader } from '../helpers/sse.js';

/**
 * Every operation of ../shared/contract/storefront.graphql, sent verbatim over HTTP to a server
 * started the README's way (embedded DynamoDB Local, sample data), in the order a storefront,
 * a customer and an admin would use them; the subscriptions over SSE, fed by the stream.
 */
const JWT_SECRET = 'contract-test-jwt-secret-0123456789-abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'shop-contract-'));
let server: StartedServer;
const ran = new Set<string>();

beforeAll(async () => {
  server = await startServer({ DATA_DIR: dataDir, JWT_SECRET, CURSOR_SECRET: 'c'.repeat(40) });
}, 90_000);
afterAll(async () => {
  if (server) expect(await stopServer(server.child)).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

type Data = ContractData;

async function subscribe(name: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: contractBody(name, variables),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  ran.add(name);
  return new SseReader(response);
}

async function run(
  name: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Data> {
  const data = await runContract(server.url, name, variables, token);
  ran.add(name);
  return data;
}

describe('the storefront contract against `npm start`', { timeout: 120_000 }, () => {
  const state: Record<string, string> = {};
  let customer: string;
  let admin: string;

  it('public catalog: Categories, CategoryPage (two pages), ProductPage, Products, Featured, NodeLookup', async () => {
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
    state.productId = productId;
    state.productId2 = first.category.products.edges[1].node.id;
    state.categoryId = first.category.id;
    const page = await run('ProductPage', { id: productId, reviews: 10 });
    expect(page.product.id).toBe(productId);
    expect(page.product.category.slug).toBe(category.slug);
    const { products } = await run('Products', { ids: [productId, state.productId2] });
    expect(products.map((p: Data) => p.id)).toEqual([productId, state.productId2]);
    const featured = await run('Featured', { first: 5 });
    expect(featured.featuredProducts.edges.length).toBeGreaterThan(0);
    const node = await run('NodeLookup', { id: productId });
    expect(node.node.name).toBe(page.product.name);
    expect((await run('NodeLookup', { id: state.categoryId })).node.slug).toBe(category.slug);
  });

  it('customer: CreateProfile, AddToCart, RemoveFromCart, Me, PlaceOrder, Order, CancelOrder, AddReview', async () => {
    customer = await signDevToken(JWT_SECRET, { sub: `contract-${Date.now()}` });
    const created = await run(
      'CreateProfile',
      { input: { name: 'Contract Customer', email: `contract-${Date.now()}@example.com` } },
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
      { input: { idempotencyKey: 'contract-order-1', fromCart: true } },
      customer,
    );
    expect(placed.placeOrder.__typename).toBe('PlaceOrderSuccess');
    state.orderId = placed.placeOrder.order.id;
    const replay = await run(
      'PlaceOrder',
      { input: { idempotencyKey: 'contract-order-1', fromCart: true } },
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
          idempotencyKey: 'contract-order-2',
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
      'Contract Customer',
    );
  });

  it('admin: CreateCategory, CreateProduct, UpdateProduct, Restock, SetOrderStatus, OrdersByStatus, Customer', async () => {
    admin = await signDevToken(JWT_SECRET, { sub: 'contract-admin', admin: true });
    const slug = `contract-${Date.now()}`;
    const category = await run(
      'CreateCategory',
      { input: { slug, name: 'Contract category' } },
      admin,
    );
    expect(category.createCategory.__typename).toBe('CreateCategorySuccess');
    const created = await run(
      'CreateProduct',
      {
        input: {
          name: 'Contract kettle',
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
    expect(profile.customer.name).toBe('Contract Customer');
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

  it('ran every operation of the contract', () => {
    expect([...ran].sort()).toEqual(contractOperationNames().sort());
  });
});

describe('request bodies through `npm start`, which reads JSON bodies before yoga', {
  timeout: 60_000,
}, () => {
  // The GraphQL-over-HTTP media type, as the abuse suite sends it (through the app alone).
  const post = (body: string, contentType = 'application/json') =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/graphql-response+json' },
      body,
    });

  it('a JSON object is answered; what is not one gets the 400s the abuse suite expects', async () => {
    const ok = await post(
      JSON.stringify({
        query: 'query Q($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }',
        variables: { n: 2 },
        operationName: 'Q',
      }),
    );
    expect(ok.status).toBe(200);
    expect((await ok.json()).data.featuredProducts.edges).toHaveLength(2);
    const plus = await post(
      '{"query":"{ __typename }"}',
      'application/graphql+json; charset=utf-8',
    );
    expect(await plus.json()).toMatchObject({ data: { __typename: 'Query' } });
    for (const body of [
      '{"query":',
      '[{"query":"{ __typename }"}]',
      '{}',
      '"query"',
      'null',
      '{"variables":{}}',
    ]) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      const answer = await response.json();
      expect(answer.data, body).toBeUndefined();
      expect(answer.errors?.[0]?.extensions?.code, body).toBe('BAD_REQUEST');
    }
  });
});
