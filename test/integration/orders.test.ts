import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../src/domain/types.js';
import { customerItem, customerKey } from '../../src/models/customer.js';
import { inventoryItem, inventoryKey } from '../../src/models/inventory.js';
import { productItem } from '../../src/models/product.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, aProduct, putItems } from '../helpers/fixtures.js';

let table: TestTable;
let t: TestApp;
let admin: string;

beforeAll(async () => {
  table = await createTestTable('orders');
  // This file's point is correctness under contention, on a machine that may be busy with other
  // suites: 200 conflicting orders must not be cut short by the request deadline, whose shedding
  // crowd.test.ts and overload.test.ts cover.
  t = createTestApp(table, { REQUEST_DEADLINE_MS: '60000' });
  admin = await t.token('admin-1', true);
});
afterAll(() => table.drop());

const gid = (id: string) => encodeGlobalID('Product', id);

const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on PlaceOrderSuccess {
        order { id status createdAt totalCents lines { quantity unitPriceCents product { id } } }
      }
      ... on OutOfStockError { message productId requested available }
      ... on IdempotencyKeyReusedError { message }
      ... on ValidationError { field }
      ... on Error { message }
    }
  }`;

type PlaceResult = {
  placeOrder: {
    __typename: string;
    message?: string;
    field?: string;
    productId?: string;
    requested?: number;
    available?: number;
    order?: {
      id: string;
      status: string;
      totalCents: number;
      lines: Array<{ quantity: number; unitPriceCents: number }>;
    };
  };
};

let customerSeq = 0;
async function newCustomer(): Promise<{ id: string; token: string }> {
  const id = `order-customer-${++customerSeq}-${Date.now()}`;
  await putItems(table, [customerItem(aCustomer(id))]);
  return { id, token: await t.token(id) };
}

async function newProducts(count: number, stock: number, priceCents = 250): Promise<Product[]> {
  const products = Array.from({ length: count }, (_, i) =>
    aProduct({ categorySlug: 'orders-test', name: `Stocked ${i}`, priceCents: priceCents + i }),
  );
  await putItems(table, [
    ...products.map(productItem),
    ...products.map((p) => inventoryItem({ productId: p.id, stock, updatedAt: p.updatedAt })),
  ]);
  return products;
}

async function stockOf(productId: string): Promise<number> {
  const out = await table.dynamo.doc.send(
    new GetCommand({
      TableName: table.tableName,
      Key: inventoryKey(productId),
      ConsistentRead: true,
    }),
  );
  return out.Item?.stock as number;
}

async function orderCountOf(customerId: string): Promise<number> {
  const out = await table.dynamo.doc.send(
    new GetCommand({
      TableName: table.tableName,
      Key: customerKey(customerId),
      ConsistentRead: true,
    }),
  );
  return (out.Item?.orderCount as number | undefined) ?? 0;
}

function place(token: string, input: Record<string, unknown>) {
  return t.gql<PlaceResult>(PLACE_ORDER, { input }, { token });
}

describe('placeOrder (access pattern 11)', () => {
  it('takes the stock, writes the order at current prices and counts it on the profile', async () => {
    const customer = await newCustomer();
    const [a, b] = (await newProducts(2, 10)) as [Product, Product];
    const { result, calls } = await t.wireCalls(() =>
      place(customer.token, {
        idempotencyKey: 'first-order',
        lines: [
          { productId: gid(a.id), quantity: 3 },
          { productId: gid(b.id), quantity: 1 },
        ],
      }),
    );
    const placed = expectData(result).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    expect(placed.order?.status).toBe('PENDING');
    expect(placed.order?.totalCents).toBe(3 * a.priceCents + b.priceCents);
    expect(placed.order?.lines.map((l) => [l.quantity, l.unitPriceCents])).toEqual([
      [3, a.priceCents],
      [1, b.priceCents],
    ]);
    expect(await stockOf(a.id)).toBe(7);
    expect(await stockOf(b.id)).toBe(9);
    expect(await orderCountOf(customer.id)).toBe(1);
    expect(calls.TransactWriteItems).toBe(1);
    expect(calls.Scan).toBeUndefined();
  });

  it('OutOfStockError names the product, the requested and the available counts, and changes nothing', async () => {
    const customer = await newCustomer();
    const [a, b] = (await newProducts(2, 2)) as [Product, Product];
    const placed = expectData(
      await place(customer.token, {
        idempotencyKey: 'too-many',
        lines: [
          { productId: gid(a.id), quantity: 1 },
          { productId: gid(b.id), quantity: 5 },
        ],
      }),
    ).placeOrder;
    expect(placed).toMatchObject({
      __typename: 'OutOfStockError',
      productId: gid(b.id),
      requested: 5,
      available: 2,
    });
    expect(placed.message).toContain(b.name);
    expect(await stockOf(a.id)).toBe(2);
    expect(await stockOf(b.id)).toBe(2);
    expect(await orderCountOf(customer.id)).toBe(0);
  });

  it('checks limits before any write, naming the field', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 50)) as [Product];
    const many = await newProducts(26, 5);
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { idempotencyKey: 'k-q0', lines: [{ productId: gid(a.id), quantity: 0 }] },
        'input.lines.0.quantity',
      ],
      [
        { idempotencyKey: 'k-q100', lines: [{ productId: gid(a.id), quantity: 100 }] },
        'input.lines.0.quantity',
      ],
      [
        { idempotencyKey: 'k-26', lines: many.map((p) => ({ productId: gid(p.id), quantity: 1 })) },
        'input.lines',
      ],
      [
        {
          idempotencyKey: 'k-dup',
          lines: [
            { productId: gid(a.id), quantity: 1 },
            { productId: gid(a.id), quantity: 2 },
          ],
        },
        'input.lines.1.productId',
      ],
      [{ idempotencyKey: 'k-none' }, 'input'],
      [
        {
          idempotencyKey: 'k-both',
          fromCart: true,
          lines: [{ productId: gid(a.id), quantity: 1 }],
        },
        'input',
      ],
      [
        { idempotencyKey: 'bad key with spaces', lines: [{ productId: gid(a.id), quantity: 1 }] },
        'input.idempotencyKey',
      ],
      [{ idempotencyKey: 'k-empty', lines: [] }, 'input.lines'],
    ];
    for (const [input, field] of cases) {
      const { result, calls } = await t.wireCalls(() => place(customer.token, input));
      const placed = expectData(result).placeOrder;
      expect(placed.__typename, JSON.stringify(input).slice(0, 80)).toBe('ValidationError');
      expect(placed.field).toBe(field);
      expect(placed.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
      expect(calls).toEqual({});
    }
    expect(await stockOf(a.id)).toBe(50);
    expect(await orderCountOf(customer.id)).toBe(0);
  });

  it('an unknown product is NotFoundError; a viewer without a profile is told to create one', async () => {
    const customer = await newCustomer();
    const unknown = expectData(
      await place(customer.token, {
        idempotencyKey: 'unknown-product',
        lines: [{ productId: gid('01UNKNOWNPRODUCT0000000000'), quantity: 1 }],
      }),
    ).placeOrder;
    expect(unknown.__typename).toBe('NotFoundError');
    const [a] = (await newProducts(1, 5)) as [Product];
    const stranger = await t.token('no-profile-customer');
    const noProfile = expectData(
      await place(stranger, {
        idempotencyKey: 'no-profile',
        lines: [{ productId: gid(a.id), quantity: 1 }],
      }),
    ).placeOrder;
    expect(noProfile.__typename).toBe('NotFoundError');
    expect(noProfile.message).toMatch(/createProfile/);
    expect(await stockOf(a.id)).toBe(5);
  });

  it('anonymous requests are refused before anything is read', async () => {
    const [a] = (await newProducts(1, 5)) as [Product];
    const { result, total } = await t.wireCalls(() =>
      t.gql(PLACE_ORDER, {
        input: { idempotencyKey: 'anon', lines: [{ productId: gid(a.id), quantity: 1 }] },
      }),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.data ?? null).toBeNull();
    expect(total).toBe(0);
    expect(await stockOf(a.id)).toBe(5);
  });

  it('anonymous with invalid input: the ValidationError comes first, with no DynamoDB call and nothing written', async () => {
    // Input rules run before authorization: they tell only what the public schema says.
    const [a] = (await newProducts(1, 5)) as [Product];
    const { result, total } = await t.wireCalls(() =>
      t.gql<PlaceResult>(PLACE_ORDER, {
        input: { idempotencyKey: 'anon-invalid', lines: [{ productId: gid(a.id), quantity: 0 }] },
      }),
    );
    expect(expectData(result).placeOrder).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.lines.0.quantity',
    });
    expect(total).toBe(0);
    expect(await stockOf(a.id)).toBe(5);
  });
});

describe('idempotency', () => {
  it('a replay returns the same order with no second order and no second stock decrement', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const input = { idempotencyKey: 'replay-me', lines: [{ productId: gid(a.id), quantity: 2 }] };
    const first = expectData(await place(customer.token, input)).placeOrder.order!;
    const second = expectData(await place(customer.token, input)).placeOrder.order!;
    expect(second.id).toBe(first.id);
    expect(await stockOf(a.id)).toBe(8);
    expect(await orderCountOf(customer.id)).toBe(1);

    const reused = expectData(
      await place(customer.token, { ...input, lines: [{ productId: gid(a.id), quantity: 3 }] }),
    ).placeOrder;
    expect(reused.__typename).toBe('IdempotencyKeyReusedError');
    expect(await stockOf(a.id)).toBe(8);

    // Keys are per customer: another customer may use the same key.
    const other = await newCustomer();
    const theirs = expectData(await place(other.token, input)).placeOrder;
    expect(theirs.__typename).toBe('PlaceOrderSuccess');
    expect(theirs.order!.id).not.toBe(first.id);
  });

  it('20 concurrent replays of one key make exactly one order', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 100)) as [Product];
    const input = {
      idempotencyKey: 'concurrent-key',
      lines: [{ productId: gid(a.id), quantity: 3 }],
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => place(customer.token, input)),
    );
    const orders = results.map((r) => expectData(r).placeOrder);
    expect(orders.map((o) => o.__typename)).toEqual(Array(20).fill('PlaceOrderSuccess'));
    expect(new Set(orders.map((o) => o.order!.id)).size).toBe(1);
    expect(await stockOf(a.id)).toBe(97);
    expect(await orderCountOf(customer.id)).toBe(1);
    const history = expectData(
      await t.gql<{ me: { orders: { edges: unknown[] } } }>(
        '{ me { orders(first: 50) { edges { node { id } } } } }',
        {},
        { token: customer.token },
      ),
    );
    expect(history.me.orders.edges).toHaveLength(1);
    console.info(
      `idempotency: 20 concurrent replays -> ${new Set(orders.map((o) => o.order!.id)).size} order, stock 100 -> ${await stockOf(a.id)}`,
    );
  });
});

describe('no oversell under contention', () => {
  it('200 concurrent orders from 20 customers never take stock below zero, and stock adds up', async () => {
    const customers = await Promise.all(Array.from({ length: 20 }, () => newCustomer()));
    const products = await newProducts(5, 30);
    const initial = new Map(products.map((p) => [p.id, 30]));
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const requests = Array.from({ length: 200 }, (_, i) => {
      const picked = products.filter(() => random() < 0.4);
      const lines = (picked.length ? picked : [products[i % 5]!]).map((p) => ({
        productId: p.id,
        quantity: 1 + Math.floor(random() * 3),
      }));
      return { customer: customers[i % 20]!, lines, key: `contention-${i}` };
    });
    const started = Date.now();
    const results = await Promise.all(
      requests.map((r) =>
        place(r.customer.token, {
          idempotencyKey: r.key,
          lines: r.lines.map((l) => ({ productId: gid(l.productId), quantity: l.quantity })),
        }),
      ),
    );
    const elapsed = Date.now() - started;
    const outcomes = results.map((r) => expectData(r).placeOrder);
    const taken = new Map(products.map((p) => [p.id, 0]));
    let succeeded = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.__typename === 'PlaceOrderSuccess') {
        succeeded++;
        for (const line of requests[i]!.lines)
          taken.set(line.productId, taken.get(line.productId)! + line.quantity);
      } else {
        expect(outcome.__typename).toBe('OutOfStockError');
        expect(outcome.available!).toBeLessThan(outcome.requested!);
      }
    });
    for (const product of products) {
      const final = await stockOf(product.id);
      expect(final).toBeGreaterThanOrEqual(0);
      expect(initial.get(product.id)).toBe(final + taken.get(product.id)!);
    }
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThan(200);
    const orderCounts = await Promise.all(customers.map((c) => orderCountOf(c.id)));
    expect(orderCounts.reduce((a, b) => a + b, 0)).toBe(succeeded);
    console.info(
      `oversell: 200 concurrent placeOrder, ${succeeded} succeeded, ${200 - succeeded} OutOfStockError, ` +
        `stock ${[...initial.values()].join('/')} -> ${(await Promise.all(products.map((p) => stockOf(p.id)))).join('/')}, ${elapsed} ms`,
    );
  });
});

const CANCEL = /* GraphQL */ `
  mutation CancelOrder($orderId: ID!) {
    cancelOrder(orderId: $orderId) {
      __typename
      ... on CancelOrderSuccess { order { id status } }
      ... on InvalidTransitionError { message from to }
      ... on Error { message }
    }
  }`;
const SET_STATUS = /* GraphQL */ `
  mutation SetOrderStatus($orderId: ID!, $status: OrderStatus!) {
    setOrderStatus(orderId: $orderId, status: $status) {
      __typename
      ... on SetOrderStatusSuccess { order { id status } }
      ... on InvalidTransitionError { message from to }
      ... on Error { message }
    }
  }`;
type StatusResult = { __typename: string; order?: { status: string }; from?: string; to?: string };

describe('order status', () => {
  it('a customer cancels their own order and the stock comes back; twice is an invalid transition', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const order = expectData(
      await place(customer.token, {
        idempotencyKey: 'to-cancel',
        lines: [{ productId: gid(a.id), quantity: 4 }],
      }),
    ).placeOrder.order!;
    expect(await stockOf(a.id)).toBe(6);
    const cancelled = expectData(
      await t.gql<{ cancelOrder: StatusResult }>(
        CANCEL,
        { orderId: order.id },
        { token: customer.token },
      ),
    ).cancelOrder;
    expect(cancelled).toMatchObject({
      __typename: 'CancelOrderSuccess',
      order: { status: 'CANCELLED' },
    });
    expect(await stockOf(a.id)).toBe(10);
    const again = expectData(
      await t.gql<{ cancelOrder: StatusResult }>(
        CANCEL,
        { orderId: order.id },
        { token: customer.token },
      ),
    ).cancelOrder;
    expect(again).toMatchObject({
      __typename: 'InvalidTransitionError',
      from: 'CANCELLED',
      to: 'CANCELLED',
    });
    expect(await stockOf(a.id)).toBe(10);
  });

  it("another customer's order cannot be cancelled and is not revealed", async () => {
    const owner = await newCustomer();
    const other = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const order = expectData(
      await place(owner.token, {
        idempotencyKey: 'not-yours',
        lines: [{ productId: gid(a.id), quantity: 1 }],
      }),
    ).placeOrder.order!;
    const { result, total } = await t.wireCalls(() =>
      t.gql<{ cancelOrder: StatusResult }>(CANCEL, { orderId: order.id }, { token: other.token }),
    );
    expect(expectData(result).cancelOrder.__typename).toBe('NotFoundError');
    expect(total).toBe(0);
    expect(await stockOf(a.id)).toBe(9);
  });

  it('admins move orders along the allowed transitions only', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const order = expectData(
      await place(customer.token, {
        idempotencyKey: 'lifecycle',
        lines: [{ productId: gid(a.id), quantity: 2 }],
      }),
    ).placeOrder.order!;
    const move = async (status: string, token = admin) =>
      await t.gql<{ setOrderStatus: StatusResult }>(
        SET_STATUS,
        { orderId: order.id, status },
        { token },
      );
    expect(expectData(await move('SHIPPED')).setOrderStatus).toMatchObject({
      __typename: 'InvalidTransitionError',
      from: 'PENDING',
      to: 'SHIPPED',
    });
    const denied = await move('PAID', customer.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const status of ['PAID', 'SHIPPED', 'DELIVERED']) {
      expect(expectData(await move(status)).setOrderStatus.order?.status).toBe(status);
    }
    expect(expectData(await move('CANCELLED')).setOrderStatus).toMatchObject({
      __typename: 'InvalidTransitionError',
      from: 'DELIVERED',
    });
    expect(await stockOf(a.id)).toBe(8);
  });

  it('an admin cancelling a paid order returns its stock too', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const order = expectData(
      await place(customer.token, {
        idempotencyKey: 'admin-cancel',
        lines: [{ productId: gid(a.id), quantity: 5 }],
      }),
    ).placeOrder.order!;
    await t.gql(SET_STATUS, { orderId: order.id, status: 'PAID' }, { token: admin });
    const cancelled = expectData(
      await t.gql<{ setOrderStatus: StatusResult }>(
        SET_STATUS,
        { orderId: order.id, status: 'CANCELLED' },
        { token: admin },
      ),
    ).setOrderStatus;
    expect(cancelled.order?.status).toBe('CANCELLED');
    expect(await stockOf(a.id)).toBe(10);
  });
});

describe('reading orders', () => {
  const ORDER = /* GraphQL */ `
    query Order($id: ID!) {
      order(id: $id) {
        id status createdAt totalCents
        customer { id }
        lines { quantity unitPriceCents product { id name } }
      }
    }`;

  it('order(id) and node(id) serve the owner and admins; others get null with no DynamoDB call', async () => {
    const owner = await newCustomer();
    const other = await newCustomer();
    const [a] = (await newProducts(1, 10)) as [Product];
    const order = expectData(
      await place(owner.token, {
        idempotencyKey: 'read-me',
        lines: [{ productId: gid(a.id), quantity: 1 }],
      }),
    ).placeOrder.order!;
    type OrderData = {
      order: {
        id: string;
        customer: { id: string };
        lines: Array<{ product: { name: string } }>;
      } | null;
    };
    const mine = expectData(
      await t.gql<OrderData>(ORDER, { id: order.id }, { token: owner.token }),
    );
    expect(mine.order?.lines[0]?.product.name).toBe(a.name);
    expect(mine.order?.customer.id).toBe(encodeGlobalID('Customer', owner.id));
    const asAdmin = expectData(await t.gql<OrderData>(ORDER, { id: order.id }, { token: admin }));
    expect(asAdmin.order?.id).toBe(order.id);

    const { result, total } = await t.wireCalls(() =>
      t.gql<OrderData>(ORDER, { id: order.id }, { token: other.token }),
    );
    expect(expectData(result).order).toBeNull();
    expect(total).toBe(0);
    const node = await t.wireCalls(() =>
      t.gql<{ node: unknown }>(
        'query($id: ID!) { node(id: $id) { id ... on Order { status totalCents } } }',
        { id: order.id },
        { token: other.token },
      ),
    );
    expect(expectData(node.result).node).toBeNull();
    expect(node.total).toBe(0);
    const anonymous = await t.gql(ORDER, { id: order.id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The body, as the client gets it: the whole result also holds the random request id and
    // the timing, in which the total's digits can turn up by chance.
    expect(anonymous.text).not.toContain(String(order.totalCents));
    const anonymousNode = await t.gql(
      'query($id: ID!) { node(id: $id) { id ... on Order { totalCents } } }',
      { id: order.id },
    );
    expect(anonymousNode.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ordersByStatus pages newest first across every shard with exact hasNextPage', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 500)) as [Product];
    const placed: string[] = [];
    for (let i = 0; i < 13; i++) {
      const order = expectData(
        await place(customer.token, {
          idempotencyKey: `by-status-${i}`,
          lines: [{ productId: gid(a.id), quantity: 1 }],
        }),
      ).placeOrder.order!;
      await t.gql(SET_STATUS, { orderId: order.id, status: 'PAID' }, { token: admin });
      // Orders of other tests are PENDING or elsewhere; SHIPPED holds only these.
      await t.gql(SET_STATUS, { orderId: order.id, status: 'SHIPPED' }, { token: admin });
      placed.push(order.id);
    }
    const BY_STATUS = /* GraphQL */ `
      query OrdersByStatus($status: OrderStatus!, $first: Int, $after: String) {
        ordersByStatus(status: $status, first: $first, after: $after) {
          edges { cursor node { id status createdAt totalCents customer { id } } }
          pageInfo { hasNextPage endCursor }
        }
      }`;
    type ByStatus = {
      ordersByStatus: {
        edges: Array<{ node: { id: string; status: string; createdAt: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const seen: string[] = [];
    const flags: boolean[] = [];
    let after: string | null = null;
    let queries = 0;
    do {
      const { result, calls } = await t.wireCalls(() =>
        t.gql<ByStatus>(BY_STATUS, { status: 'SHIPPED', first: 5, after }, { token: admin }),
      );
      queries += calls.Query ?? 0;
      const page: ByStatus['ordersByStatus'] = expectData(result).ordersByStatus;
      seen.push(...page.edges.map((e) => e.node.id));
      flags.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(flags).toEqual([true, true, false]);
    expect(seen).toEqual([...placed].reverse());
    expect(queries).toBeGreaterThanOrEqual(4);

    const exact = expectData(
      await t.gql<ByStatus>(BY_STATUS, { status: 'SHIPPED', first: 13 }, { token: admin }),
    );
    expect(exact.ordersByStatus.pageInfo.hasNextPage).toBe(false);
    const firstPage = expectData(
      await t.gql<ByStatus>(BY_STATUS, { status: 'SHIPPED', first: 5 }, { token: admin }),
    );
    const foreign = await t.wireCalls(() =>
      t.gql(
        BY_STATUS,
        { status: 'PAID', first: 5, after: firstPage.ordersByStatus.pageInfo.endCursor },
        { token: admin },
      ),
    );
    expect(foreign.result.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
    expect(foreign.total).toBe(0);
    const customerTry = await t.gql(BY_STATUS, { status: 'SHIPPED' }, { token: customer.token });
    expect(customerTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('placeOrder from the cart', () => {
  const ADD =
    'mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { __typename } }';
  const CART = '{ me { cart { items { quantity } } orderCount } }';

  it('orders what is in the cart, takes the stock and clears the consumed lines in the same transaction', async () => {
    const customer = await newCustomer();
    const [a, b] = (await newProducts(2, 10)) as [Product, Product];
    await t.gql(ADD, { p: gid(a.id), q: 2 }, { token: customer.token });
    await t.gql(ADD, { p: gid(b.id), q: 3 }, { token: customer.token });
    const { result, calls } = await t.wireCalls(() =>
      place(customer.token, { idempotencyKey: 'from-cart', fromCart: true }),
    );
    const placed = expectData(result).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    expect(placed.order?.totalCents).toBe(2 * a.priceCents + 3 * b.priceCents);
    expect(calls.TransactWriteItems).toBe(1);
    expect(await stockOf(a.id)).toBe(8);
    expect(await stockOf(b.id)).toBe(7);
    const after = expectData(
      await t.gql<{ me: { cart: { items: unknown[] }; orderCount: number } }>(
        CART,
        {},
        { token: customer.token },
      ),
    );
    expect(after.me.cart.items).toEqual([]);
    expect(after.me.orderCount).toBe(1);
  });

  it('an empty cart is a ValidationError on input.fromCart, and an out-of-stock cart keeps its lines', async () => {
    const customer = await newCustomer();
    const empty = expectData(
      await place(customer.token, { idempotencyKey: 'empty-cart', fromCart: true }),
    ).placeOrder;
    expect(empty).toMatchObject({ __typename: 'ValidationError', field: 'input.fromCart' });
    const [a] = (await newProducts(1, 1)) as [Product];
    await t.gql(ADD, { p: gid(a.id), q: 5 }, { token: customer.token });
    const short = expectData(
      await place(customer.token, { idempotencyKey: 'short-cart', fromCart: true }),
    ).placeOrder;
    expect(short).toMatchObject({ __typename: 'OutOfStockError', requested: 5, available: 1 });
    const after = expectData(
      await t.gql<{ me: { cart: { items: Array<{ quantity: number }> } } }>(
        CART,
        {},
        { token: customer.token },
      ),
    );
    expect(after.me.cart.items).toEqual([{ quantity: 5 }]);
  });
});

describe('order history (access pattern 8)', () => {
  const HISTORY = /* GraphQL */ `
    query($first: Int, $after: String, $from: DateTime, $to: DateTime) {
      me { orders(first: $first, after: $after, from: $from, to: $to) {
        edges { node { id createdAt } }
        pageInfo { hasNextPage endCursor }
      } }
    }`;
  type History = {
    me: {
      orders: {
        edges: Array<{ node: { id: string; createdAt: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  };

  it('is newest first, pages with a cursor bound to the viewer, and filters by date range', async () => {
    const customer = await newCustomer();
    const [a] = (await newProducts(1, 100)) as [Product];
    const placed: Array<{ id: string; createdAt: string }> = [];
    for (let i = 0; i < 4; i++) {
      const order = expectData(
        await place(customer.token, {
          idempotencyKey: `history-${i}`,
          lines: [{ productId: gid(a.id), quantity: 1 }],
        }),
      ).placeOrder.order as unknown as { id: string; createdAt: string };
      placed.push({ id: order.id, createdAt: order.createdAt });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const newest = [...placed].reverse().map((o) => o.id);
    const page1 = expectData(await t.gql<History>(HISTORY, { first: 3 }, { token: customer.token }))
      .me.orders;
    expect(page1.edges.map((e) => e.node.id)).toEqual(newest.slice(0, 3));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = expectData(
      await t.gql<History>(
        HISTORY,
        { first: 3, after: page1.pageInfo.endCursor },
        { token: customer.token },
      ),
    ).me.orders;
    expect(page2.edges.map((e) => e.node.id)).toEqual(newest.slice(3));
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const from = placed[1]!.createdAt;
    const to = placed[2]!.createdAt;
    const ranged = expectData(
      await t.gql<History>(HISTORY, { from, to }, { token: customer.token }),
    ).me.orders;
    expect(ranged.edges.map((e) => e.node.id)).toEqual([placed[2]!.id, placed[1]!.id]);
    const since = expectData(await t.gql<History>(HISTORY, { from }, { token: customer.token })).me
      .orders;
    expect(since.edges).toHaveLength(3);

    // Another customer cannot use this customer's cursor (it is bound to the viewer).
    const other = await newCustomer();
    const stolen = await t.wireCalls(() =>
      t.gql(HISTORY, { first: 3, after: page1.pageInfo.endCursor }, { token: other.token }),
    );
    expect(stolen.result.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
    expect(stolen.calls.Query).toBeUndefined();
    const backwards = await t.gql(HISTORY, { from: to, to: from }, { token: customer.token });
    expect(backwards.errors?.[0]?.message).toBe('`from` must not be after `to`');
  });
});
