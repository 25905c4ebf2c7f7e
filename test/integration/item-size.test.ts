import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain/orders.js';
import { ValidationError } from '../../src/errors/domain.js';
import { categoryItem, categoryKey } from '../../src/models/category.js';
import { customerItem, customerKey } from '../../src/models/customer.js';
import { emailClaimKey } from '../../src/models/email-claim.js';
import { inventoryItem, inventoryKey } from '../../src/models/inventory.js';
import { orderItem } from '../../src/models/order.js';
import { productItem, productKey } from '../../src/models/product.js';
import { reviewItem } from '../../src/models/review.js';
import type { TableKey } from '../../src/models/table-schema.js';
import { createRepositories } from '../../src/repositories/index.js';
import type { Item } from '../../src/store/batch-get.js';
import { CursorCodec } from '../../src/store/cursor.js';
import { assertItemFits, DYNAMODB_MAX_ITEM_BYTES, itemSize } from '../../src/store/item-size.js';
import { RequestDb } from '../../src/store/request-db.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCategory, aCustomer, aProduct, aReview, putItems } from '../helpers/fixtures.js';

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('itemsize');
});
afterAll(() => table.drop());

async function stored(key: TableKey) {
  const out = await table.dynamo.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return out.Item;
}

async function put(item: Item): Promise<void> {
  await table.dynamo.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

// ------------------------------------------------------------------------------ the count

describe("the size count agrees with DynamoDB Local's at the 400 KB limit", () => {
  const product = aProduct({ categorySlug: 'kitchen', priceCents: 4_999, featured: true });
  const order: Order = {
    id: '01JORDER000000000000000000',
    customerId: 'size-customer',
    status: 'PENDING',
    lines: [
      { productId: 'p1', quantity: 3, unitPriceCents: 1_250, productName: 'Chef knife' },
      { productId: 'p2', quantity: 99, unitPriceCents: 0, productName: 'Café crème ☕' },
    ],
    totalCents: 3_750,
    currency: 'USD',
    createdAt: '2026-01-31T12:00:00.000Z',
    updatedAt: '2026-01-31T12:00:00.000Z',
    shard: 2,
  };
  // The items the repositories write, the user's text padded until the item is at the limit.
  const shapes: Array<[string, (pad: string) => Item]> = [
    ['product', (pad) => productItem({ ...product, description: `Sharp ${pad}` })],
    ['review', (pad) => reviewItem({ ...aReview(product, 'c1', 4, new Date()), body: pad })],
    ['customer', (pad) => customerItem({ ...aCustomer('c1'), name: `Zoë ${pad}` })],
    ['category', (pad) => categoryItem({ ...aCategory('lamps'), description: pad })],
    [
      'order',
      (pad) =>
        orderItem({ ...order, lines: [...order.lines, { ...order.lines[0]!, productName: pad }] }),
    ],
  ];

  it.each(shapes)(
    '%s: exactly 409600 bytes is stored, one byte more is refused',
    async (_, shape) => {
      const pad =
        'é'.repeat(10) + 'x'.repeat(DYNAMODB_MAX_ITEM_BYTES - itemSize(shape('é'.repeat(10))));
      const atLimit = shape(pad);
      expect(itemSize(atLimit)).toBe(DYNAMODB_MAX_ITEM_BYTES);
      expect(() => assertItemFits(atLimit)).not.toThrow();
      await put(atLimit);

      const over = shape(`${pad}x`);
      expect(() => assertItemFits(over)).toThrow(ValidationError);
      await expect(put(over)).rejects.toThrow(/size/i);
    },
  );
});

// ------------------------------------------------------------------------------ the write paths

/** Repositories over the test table, with the item limit lowered so that small items reach it. */
function repositories(maxItemBytes?: number) {
  const db = new RequestDb({ doc: table.dynamo.doc, tableName: table.tableName });
  const repos = createRepositories(db, new CursorCodec('item-size-test-cursor-secret'), {
    orderStatusShards: 2,
    maxItemBytes,
  });
  return {
    db,
    repos,
    /** How many DynamoDB calls the repositories made, and which of them were writes. */
    calls: () => {
      const names = [...db.calls.keys()];
      const total = [...db.calls.values()].reduce((sum, n) => sum + n, 0);
      return { total, writes: names.filter((name) => /Put|Update|Delete|Write/.test(name)) };
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('every write of user content checks the item size before any write', () => {
  const LIMIT = 2_000;
  const long = 'd'.repeat(LIMIT);

  beforeAll(async () => {
    await putItems(table, [categoryItem(aCategory('sized')), customerItem(aCustomer('sizer'))]);
  });

  it('createProduct: no call at all, nothing written; the same input fits the real limit', async () => {
    const input = {
      name: 'Lamp',
      description: long,
      priceCents: 100,
      categorySlug: 'sized',
      stock: 1,
    };
    const { repos, calls } = repositories(LIMIT);
    const error = await refusal(repos.products.create(input));
    expect(error.field).toBe('input.description');
    expect(error.message).toMatch(
      /^input\.description: too large to store: the item would be \d+ bytes, over the 2000-byte limit/,
    );
    expect(calls().total).toBe(0);
    expect((await stored(categoryKey('sized')))?.productCount).toBe(0);

    const created = await repositories().repos.products.create(input);
    expect((await stored(productKey(created.id)))?.description).toBe(long);
  });

  it('updateProduct: the consistent read, then no write; the product is unchanged', async () => {
    const product = aProduct({ categorySlug: 'sized' });
    await putItems(table, [
      productItem(product),
      inventoryItem({ productId: product.id, stock: 1, updatedAt: product.createdAt }),
    ]);
    const before = await stored(productKey(product.id));
    const { repos, calls } = repositories(LIMIT);
    const error = await refusal(
      repos.products.update({ id: product.id, expectedVersion: 1, description: long }),
    );
    expect(error.field).toBe('input.description');
    expect(calls()).toEqual({ total: 1, writes: [] });
    expect(await stored(productKey(product.id))).toEqual(before);
  });

  it('createCategory and createProfile: no call, nothing written', async () => {
    const { repos, calls } = repositories(LIMIT);
    const category = await refusal(
      repos.categories.create({ slug: 'too-big', name: 'Too big', description: long }),
    );
    expect(category.field).toBe('input.description');
    const profile = await refusal(repos.customers.create({ ...aCustomer('big-name'), name: long }));
    expect(profile.field).toBe('input.name');
    expect(calls().total).toBe(0);
    expect(await stored(categoryKey('too-big'))).toBeUndefined();
    expect(await stored(customerKey('big-name'))).toBeUndefined();
    expect(await stored(emailClaimKey('big-name@example.com'))).toBeUndefined();
  });

  it('addReview: no call; the rating is not counted', async () => {
    const product = aProduct({ categorySlug: 'sized' });
    await putItems(table, [productItem(product)]);
    const { repos, calls } = repositories(LIMIT);
    const error = await refusal(
      repos.reviews.add({ productId: product.id, customerId: 'sizer', rating: 5, body: long }),
    );
    expect(error.field).toBe('input.body');
    expect(calls().total).toBe(0);
    expect(await stored(productKey(product.id))).toMatchObject({ ratingCount: 0, ratingSum: 0 });
  });

  it('placeOrder: the reads it needs to build the order, then no transaction; stock is kept', async () => {
    const product = aProduct({ categorySlug: 'sized', name: 'n'.repeat(200) });
    await putItems(table, [
      productItem(product),
      inventoryItem({ productId: product.id, stock: 5, updatedAt: product.createdAt }),
    ]);
    const { repos, calls } = repositories(300);
    const error = await refusal(
      repos.orders.place({
        customerId: 'sizer',
        idempotencyKey: 'too-big',
        lines: [{ productId: product.id, quantity: 1 }],
        cartLines: async () => [],
      }),
    );
    expect(error.field).toBe('input.lines');
    expect(calls().total).toBeGreaterThan(0);
    expect(calls().writes).toEqual([]);
    expect((await stored(inventoryKey(product.id)))?.stock).toBe(5);
    expect(await stored(customerKey('sizer'))).toMatchObject({ orderCount: 0 });
  });
});
