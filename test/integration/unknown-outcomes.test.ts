import {
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/dev/sample/random.js';
import type { Product } from '../../src/domain/types.js';
import { cartLineKey } from '../../src/models/cart-line.js';
import { categoryKey } from '../../src/models/category.js';
import { customerItem, customerKey } from '../../src/models/customer.js';
import { inventoryItem, inventoryKey } from '../../src/models/inventory.js';
import { ORDER_TIME_MAX, ORDER_TIME_MIN, orderHistoryQuery } from '../../src/models/order.js';
import { productItem, productKey } from '../../src/models/product.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import {
  type Attempt,
  type Fault,
  type FaultyDynamo,
  faultyDynamo,
  lostResponse,
  refused,
} from '../helpers/faults.js';
import { aCustomer, aProduct, putItems } from '../helpers/fixtures.js';

/**
 * What DynamoDB Local cannot do, injected at the SDK's middleware of a real client that talks
 * to it: responses lost after a write was applied, refused connections, TransactionConflict,
 * throttling. Every write must come out applied exactly once and answered as what happened.
 */
let table: TestTable;
const opened: FaultyDynamo[] = [];

beforeAll(async () => {
  table = await createTestTable('outcomes');
});
afterEach(() => {
  for (const dynamo of opened.splice(0)) dynamo.destroy();
});
afterAll(() => table.drop());

const gid = (type: string, id: string) => encodeGlobalID(type, id);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']);

/** The app on a client whose attempts `decide` may fail. */
function appWith(decide: (attempt: Attempt) => Fault, env: Record<string, string> = {}) {
  const dynamo = faultyDynamo(table, decide);
  opened.push(dynamo);
  return { t: createTestApp({ ...table, dynamo }, env), dynamo };
}

/** Loses the response of the first write attempt after `arm()`, once: DynamoDB applied it. */
function loseNextWrite() {
  let armed = false;
  const decide = (attempt: Attempt): Fault => {
    if (!armed || !WRITES.has(attempt.operation)) return undefined;
    armed = false;
    return 'lose-response';
  };
  return { decide, arm: () => (armed = true) };
}

let seq = 0;
async function aShopper(t: TestApp) {
  const id = `outcome-${++seq}-${Date.now()}`;
  await putItems(table, [customerItem(aCustomer(id))]);
  return { id, token: await t.token(id) };
}

async function aStockedProduct(stock: number, categorySlug = 'outcomes'): Promise<Product> {
  const product = aProduct({ categorySlug, name: `Outcome ${++seq}` });
  await putItems(table, [
    productItem(product),
    inventoryItem({ productId: product.id, stock, updatedAt: product.updatedAt }),
  ]);
  return product;
}

async function stored(key: { PK: string; SK: string }) {
  const out = await table.dynamo.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return out.Item;
}

async function ordersOf(customerId: string) {
  const out = await table.dynamo.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      ...orderHistoryQuery(customerId, ORDER_TIME_MIN, ORDER_TIME_MAX).input,
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on PlaceOrderSuccess { order { id status } }
      ... on OrderOutcomeUnknownError { idempotencyKey }
      ... on Error { message }
    }
  }`;
type Placed = {
  placeOrder: {
    __typename: string;
    message?: string;
    idempotencyKey?: string;
    order?: { id: string };
  };
};

function place(t: TestApp, token: string, key: string, product: Product, quantity = 1) {
  return t.gql<Placed>(
    PLACE_ORDER,
    {
      input: { idempotencyKey: key, lines: [{ productId: gid('Product', product.id), quantity }] },
    },
    { token },
  );
}

const orderGid = (item: Record<string, unknown>) =>
  gid('Order', `${String(item.customerId)}:${String(item.id)}`);

const tokensOf = (attempts: Attempt[], operation: string) =>
  attempts.filter((a) => a.operation === operation).map((a) => a.input.ClientRequestToken);

describe('placeOrder when the database does not answer', () => {
  it('a response lost after the transaction committed: the same token again, PlaceOrderSuccess, one order', async () => {
    const faults = loseNextWrite();
    const { t, dynamo } = appWith(faults.decide);
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    faults.arm();
    const placed = expectData(await place(t, shopper.token, 'lost-once', product, 3)).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    const tokens = tokensOf(dynamo.attempts, 'TransactWriteItems');
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    const orders = await ordersOf(shopper.id);
    expect(orders.map((o) => orderGid(o))).toEqual([placed.order?.id]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(7);
    expect((await stored(customerKey(shopper.id)))?.orderCount).toBe(1);
  });

  it('every attempt of the SDK lost: the gateway sends the transaction again and answers what DynamoDB did', async () => {
    let lose = 0;
    const { t, dynamo } = appWith((attempt) =>
      attempt.operation === 'TransactWriteItems' && lose-- > 0 ? 'lose-response' : undefined,
    );
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    lose = 3; // the SDK's three attempts
    const placed = expectData(await place(t, shopper.token, 'lost-thrice', product, 2)).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    expect(tokensOf(dynamo.attempts, 'TransactWriteItems')).toHaveLength(4);
    expect(new Set(tokensOf(dynamo.attempts, 'TransactWriteItems')).size).toBe(1);
    expect((await ordersOf(shopper.id)).length).toBe(1);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(8);
  });

  it('a re-send throttled after a lost response is no answer: the order is still settled as placed', async () => {
    let lost = false;
    let throttled = 0;
    const faults = loseNextWrite();
    const { t } = appWith((attempt) => {
      const fault = faults.decide(attempt);
      if (fault) {
        lost = true;
        return fault;
      }
      // The SDK's two remaining attempts are throttled; the gateway's re-send goes through.
      if (lost && attempt.operation === 'TransactWriteItems' && throttled < 2) {
        throttled++;
        return new ThrottlingException({
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return undefined;
    });
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    faults.arm();
    const placed = expectData(
      await place(t, shopper.token, 'throttled-resend', product),
    ).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    expect(throttled).toBe(2);
    expect((await ordersOf(shopper.id)).map((o) => orderGid(o))).toEqual([placed.order?.id]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(9);
  });

  it('when no re-send gets an answer, the idempotency record read back says the order was placed', async () => {
    let lost = false;
    const faults = loseNextWrite();
    const { t, dynamo } = appWith(
      (attempt) => {
        const fault = faults.decide(attempt);
        if (fault) {
          lost = true;
          return fault;
        }
        // Every transaction after the lost one is refused; reads go through.
        return lost && attempt.operation === 'TransactWriteItems' ? refused() : undefined;
      },
      { REQUEST_DEADLINE_MS: '600' },
    );
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    faults.arm();
    const placed = expectData(await place(t, shopper.token, 'read-back', product, 2)).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    // It was sent more than once, and only the first one reached the table.
    expect(tokensOf(dynamo.attempts, 'TransactWriteItems').length).toBeGreaterThan(3);
    const orders = await ordersOf(shopper.id);
    expect(orders.map((o) => orderGid(o))).toEqual([placed.order?.id]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(8);
  });

  it('when nothing can tell, a typed unknown outcome that asks for the same key; retrying with it returns the order once', async () => {
    let down = false;
    const faults = loseNextWrite();
    const { t } = appWith(
      (attempt) => {
        const fault = faults.decide(attempt);
        if (fault) {
          down = true;
          return fault;
        }
        return down ? refused() : undefined;
      },
      { REQUEST_DEADLINE_MS: '600' },
    );
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    faults.arm();
    const first = expectData(await place(t, shopper.token, 'truly-unknown', product)).placeOrder;
    expect(first.__typename).toBe('OrderOutcomeUnknownError');
    expect(first.idempotencyKey).toBe('truly-unknown');
    expect(first.message).toContain('same idempotencyKey');
    expect(first.message).not.toMatch(/new key|try again shortly/i);
    // The database is back: the same key returns the order that was placed, and only it.
    down = false;
    const again = expectData(await place(t, shopper.token, 'truly-unknown', product)).placeOrder;
    expect(again.__typename).toBe('PlaceOrderSuccess');
    const orders = await ordersOf(shopper.id);
    expect(orders.map((o) => orderGid(o))).toEqual([again.order?.id]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(9);
  });
});

describe('the other writes, when their response is lost after DynamoDB applied them', () => {
  it('restock adds once, addToCart adds once, createCategory succeeds', async () => {
    const faults = loseNextWrite();
    const { t } = appWith(faults.decide);
    const admin = await t.token('outcome-admin', true);
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);

    faults.arm();
    const restocked = expectData(
      await t.gql<{ restock: { __typename: string; product?: { stock: number } } }>(
        'mutation($p: ID!) { restock(productId: $p, quantity: 5) { __typename ... on RestockSuccess { product { stock } } } }',
        { p: gid('Product', product.id) },
        { token: admin },
      ),
    ).restock;
    expect(restocked).toEqual({ __typename: 'RestockSuccess', product: { stock: 15 } });
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(15);

    const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) {
      __typename ... on AddToCartSuccess { cart { items { quantity } } } ... on Error { message } } }`;
    type Added = {
      addToCart: { __typename: string; cart?: { items: Array<{ quantity: number }> } };
    };
    faults.arm(); // a new line (PutItem)
    const added = expectData(
      await t.gql<Added>(ADD, { p: gid('Product', product.id), q: 2 }, { token: shopper.token }),
    ).addToCart;
    expect(added).toEqual({ __typename: 'AddToCartSuccess', cart: { items: [{ quantity: 2 }] } });
    faults.arm(); // more of it (UpdateItem SET quantity = quantity + :q)
    const more = expectData(
      await t.gql<Added>(ADD, { p: gid('Product', product.id), q: 3 }, { token: shopper.token }),
    ).addToCart;
    expect(more).toEqual({ __typename: 'AddToCartSuccess', cart: { items: [{ quantity: 5 }] } });
    expect((await stored(cartLineKey(shopper.id, product.id)))?.quantity).toBe(5);

    faults.arm();
    const slug = `lost-${Date.now()}`;
    const created = expectData(
      await t.gql<{ createCategory: { __typename: string } }>(
        'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { __typename } }',
        { i: { slug, name: 'Lost and found', description: 'x' } },
        { token: admin },
      ),
    ).createCategory;
    expect(created.__typename).toBe('CreateCategorySuccess');
    expect((await stored(categoryKey(slug)))?.name).toBe('Lost and found');
  });

  it('setOrderStatus, cancelOrder, updateProduct, addReview and createProfile succeed, applied once', async () => {
    const faults = loseNextWrite();
    const { t } = appWith(faults.decide);
    const admin = await t.token('outcome-admin', true);
    const shopper = await aShopper(t);
    const product = await aStockedProduct(10);
    const placeOne = async (key: string) =>
      expectData(await place(t, shopper.token, key, product, 2)).placeOrder.order?.id as string;

    const paidId = await placeOne('to-pay');
    faults.arm();
    const paid = expectData(
      await t.gql<{ setOrderStatus: { __typename: string; order?: { status: string } } }>(
        'mutation($o: ID!) { setOrderStatus(orderId: $o, status: PAID) { __typename ... on SetOrderStatusSuccess { order { status } } } }',
        { o: paidId },
        { token: admin },
      ),
    ).setOrderStatus;
    expect(paid).toEqual({ __typename: 'SetOrderStatusSuccess', order: { status: 'PAID' } });

    const cancelId = await placeOne('to-cancel');
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(6);
    faults.arm();
    const cancelled = expectData(
      await t.gql<{ cancelOrder: { __typename: string; order?: { status: string } } }>(
        'mutation($o: ID!) { cancelOrder(orderId: $o) { __typename ... on CancelOrderSuccess { order { status } } } }',
        { o: cancelId },
        { token: shopper.token },
      ),
    ).cancelOrder;
    expect(cancelled).toEqual({ __typename: 'CancelOrderSuccess', order: { status: 'CANCELLED' } });
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(8);

    faults.arm();
    const updated = expectData(
      await t.gql<{ updateProduct: { __typename: string; product?: { version: number } } }>(
        'mutation($i: UpdateProductInput!) { updateProduct(input: $i) { __typename ... on UpdateProductSuccess { product { version } } } }',
        { i: { id: gid('Product', product.id), expectedVersion: 1, priceCents: 1234 } },
        { token: admin },
      ),
    ).updateProduct;
    expect(updated).toEqual({ __typename: 'UpdateProductSuccess', product: { version: 2 } });
    expect((await stored(productKey(product.id)))?.version).toBe(2);

    faults.arm();
    const reviewed = expectData(
      await t.gql<{ addReview: { __typename: string } }>(
        'mutation($i: AddReviewInput!) { addReview(input: $i) { __typename } }',
        { i: { productId: gid('Product', product.id), rating: 4, body: 'Arrived, eventually' } },
        { token: shopper.token },
      ),
    ).addReview;
    expect(reviewed.__typename).toBe('AddReviewSuccess');
    expect((await stored(productKey(product.id)))?.ratingCount).toBe(1);

    const newcomer = `outcome-new-${Date.now()}`;
    faults.arm();
    const profile = expectData(
      await t.gql<{ createProfile: { __typename: string } }>(
        'mutation($i: CreateProfileInput!) { createProfile(input: $i) { __typename } }',
        { i: { name: 'New', email: `${newcomer}@example.com` } },
        { token: await t.token(newcomer) },
      ),
    ).createProfile;
    expect(profile.__typename).toBe('CreateProfileSuccess');
  });
});

function conflict(): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing' }],
  });
}

describe('TransactionConflict and throttling (which DynamoDB Local never produces)', () => {
  it('conflicts are retried with jitter, with the same token, and the order goes through', async () => {
    let conflicts = 4;
    const { t, dynamo } = appWith((attempt) =>
      attempt.operation === 'TransactWriteItems' && conflicts-- > 0 ? conflict() : undefined,
    );
    const shopper = await aShopper(t);
    const product = await aStockedProduct(5);
    const placed = expectData(await place(t, shopper.token, 'conflicted', product)).placeOrder;
    expect(placed.__typename).toBe('PlaceOrderSuccess');
    const sends = dynamo.attempts.filter((a) => a.operation === 'TransactWriteItems');
    expect(sends).toHaveLength(5);
    expect(new Set(sends.map((a) => a.input.ClientRequestToken)).size).toBe(1);
    const gaps = sends.slice(1).map((a, i) => a.at - (sends[i]?.at ?? a.at));
    expect(new Set(gaps.map(Math.round)).size).toBeGreaterThan(1);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(4);
  });

  it('endless conflicts end at the deadline with a retryable error, and nothing is written', async () => {
    const { t } = appWith(
      (attempt) => (attempt.operation === 'TransactWriteItems' ? conflict() : undefined),
      { REQUEST_DEADLINE_MS: '800' },
    );
    const shopper = await aShopper(t);
    const product = await aStockedProduct(5);
    const started = performance.now();
    const result = await place(t, shopper.token, 'always-conflicted', product);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await ordersOf(shopper.id)).toEqual([]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(5);
  });

  it.each([
    [
      'ThrottlingException',
      () =>
        new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    ],
    [
      'ProvisionedThroughputExceededException',
      () =>
        new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
    ],
  ])('%s is retried after a backoff, and the read succeeds', async (_name, throttle) => {
    let throttled = 0;
    const { t, dynamo } = appWith((attempt) => {
      if (attempt.operation !== 'BatchGetItem' || attempt.n % 2 === 0) return undefined;
      throttled++;
      return throttle();
    });
    const products = await Promise.all([1, 2, 3, 4].map(() => aStockedProduct(3)));
    for (const product of products) {
      const read = expectData(
        await t.gql<{ product: { stock: number } }>(
          'query($id: ID!) { product(id: $id) { stock } }',
          {
            id: gid('Product', product.id),
          },
        ),
      );
      expect(read.product.stock).toBe(3);
    }
    // Each BatchGetItem was throttled once, then sent again after a wait (a throttling backoff
    // averages half a second; four of them in under 50 ms in all would be no backoff at all).
    const sends = dynamo.attempts.filter((a) => a.operation === 'BatchGetItem');
    expect(throttled).toBe(sends.length / 2);
    let waited = 0;
    for (let i = 0; i + 1 < sends.length; i += 2) {
      waited += (sends[i + 1]?.at ?? 0) - (sends[i]?.at ?? 0);
    }
    expect(waited).toBeGreaterThan(50);
  });

  it('when most calls fail, retries stop: the SDK spends its retry budget, then sends each call once', async () => {
    const { t, dynamo } = appWith((attempt) =>
      // A read whose response never came: the SDK counts it as a timeout, its costliest retry.
      attempt.operation === 'BatchGetItem' ? lostResponse() : undefined,
    );
    const product = await aStockedProduct(3);
    const perRequest: number[] = [];
    for (let i = 0; i < 70; i++) {
      const before = dynamo.attempts.length;
      const result = await t.gql('query($id: ID!) { product(id: $id) { stock } }', {
        id: gid('Product', product.id),
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      perRequest.push(dynamo.attempts.length - before);
    }
    // The first requests get their retries; once the budget is spent, one attempt each.
    expect(perRequest[0]).toBe(3);
    expect(perRequest.slice(-20)).toEqual(Array(20).fill(1));
  });

  it('a hot product: 60 orders at once on one INVENTORY item with conflicts injected, exactly the stock is sold', async () => {
    const random = mulberry32(5);
    const { t } = appWith((attempt) =>
      attempt.operation === 'TransactWriteItems' && random() < 0.3 ? conflict() : undefined,
    );
    const product = await aStockedProduct(40, 'hot');
    const shoppers = await Promise.all(Array.from({ length: 20 }, () => aShopper(t)));
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const shopper = shoppers[i % shoppers.length] as { token: string };
        return place(t, shopper.token, `hot-${i}`, product);
      }),
    );
    const kinds = answers.map(
      (a) => a.data?.placeOrder?.__typename ?? a.errors?.[0]?.extensions?.code,
    );
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect(count('PlaceOrderSuccess')).toBe(40);
    expect(count('OutOfStockError')).toBe(20);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(0);
    let orders = 0;
    for (const shopper of shoppers)
      orders += (await ordersOf((shopper as { id: string }).id)).length;
    expect(orders).toBe(40);
  });
});
