import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryKey } from '../../src/models/category.js';
import { inventoryKey } from '../../src/models/inventory.js';
import { categoryProductsQuery, productKey } from '../../src/models/product.js';
import type { TableKey } from '../../src/models/table-schema.js';
import { createDynamo, type Dynamo } from '../../src/store/client.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { operation } from '../helpers/graphql.js';

let table: TestTable;
let t: TestApp;
let admin: string;
let customer: string;

beforeAll(async () => {
  table = await createTestTable('admin');
  t = createTestApp(table);
  admin = await t.token('admin-1', true);
  customer = await t.token('customer-1');
});
afterAll(() => table.drop());

const productGid = (id: string) => encodeGlobalID('Product', id);
const rawId = (gid: string) => decodeGlobalID(gid).id;

/** The stored item, read with the SDK (consistent), bypassing the gateway. */
async function stored(key: TableKey) {
  const out = await table.dynamo.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return out.Item;
}

/** The products of a category as GSI1 holds them, in price order. */
async function gsi1(slug: string) {
  const out = await table.dynamo.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      ...categoryProductsQuery(slug, null, null).input,
    }),
  );
  return (out.Items ?? []).map((item) => item.id as string);
}

type Result = { __typename: string; message?: string; field?: string; entity?: string };

// ------------------------------------------------------------------------------ operations

const CREATE_CATEGORY = /* GraphQL */ `
  mutation($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      __typename
      ... on CreateCategorySuccess { category { id slug name description productCount } }
      ... on ValidationError { field }
      ... on AlreadyExistsError { entity }
      ... on Error { message }
    }
  }`;

const CREATE_PRODUCT = /* GraphQL */ `
  mutation($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on CreateProductSuccess {
        product { id name description priceCents currency featured stock version }
      }
      ... on ValidationError { field }
      ... on NotFoundError { entity }
      ... on Error { message }
    }
  }`;

const UPDATE_PRODUCT = /* GraphQL */ `
  mutation($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      __typename
      ... on UpdateProductSuccess {
        product { id name description priceCents featured version rating { count average } }
      }
      ... on VersionConflictError { currentVersion expectedVersion }
      ... on ValidationError { field }
      ... on NotFoundError { entity }
      ... on Error { message }
    }
  }`;

const RESTOCK = /* GraphQL */ `
  mutation($productId: ID!, $quantity: Int!) {
    restock(productId: $productId, quantity: $quantity) {
      __typename
      ... on RestockSuccess { product { id stock } }
      ... on ValidationError { field }
      ... on NotFoundError { entity }
      ... on Error { message }
    }
  }`;

const CATEGORY_COUNTS = '{ categories { slug productCount } }';
const CATEGORY_PRODUCTS =
  'query($slug: String!) { category(slug: $slug) { productCount products(first: 100) { edges { node { id priceCents } } } } }';
const FEATURED = '{ featuredProducts(first: 100) { edges { node { id } } } }';

type CategorySuccess = Result & {
  category?: { id: string; slug: string; name: string; description: string; productCount: number };
};
type ProductFields = {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  featured: boolean;
  stock: number;
  version: number;
  rating: { count: number; average: number | null };
};
type ProductResult = Result & {
  product?: ProductFields;
  currentVersion?: number;
  expectedVersion?: number;
};

async function createCategory(input: Record<string, unknown>, token = admin) {
  const response = await t.gql<{ createCategory: CategorySuccess }>(
    CREATE_CATEGORY,
    { input },
    { token },
  );
  return expectData(response).createCategory;
}

const baseProduct = {
  name: 'Chef knife',
  description: 'Sharp',
  priceCents: 4_999,
  stock: 5,
};

async function createProduct(input: Record<string, unknown>, token = admin) {
  const response = await t.gql<{ createProduct: ProductResult }>(
    CREATE_PRODUCT,
    { input: { ...baseProduct, ...input } },
    { token },
  );
  return expectData(response).createProduct;
}

/** A new product, created through the gateway; returns its raw id. */
async function newProduct(input: Record<string, unknown>): Promise<string> {
  const result = await createProduct(input);
  expect(result.__typename).toBe('CreateProductSuccess');
  return rawId(result.product!.id);
}

async function updateProduct(input: Record<string, unknown>, app: TestApp = t) {
  const response = await app.gql<{ updateProduct: ProductResult }>(
    UPDATE_PRODUCT,
    { input },
    { token: admin },
  );
  return expectData(response).updateProduct;
}

async function productCounts(): Promise<Record<string, number>> {
  const data = expectData(
    await t.gql<{ categories: Array<{ slug: string; productCount: number }> }>(CATEGORY_COUNTS),
  );
  return Object.fromEntries(data.categories.map((c) => [c.slug, c.productCount]));
}

async function categoryProducts(slug: string) {
  const data = expectData(
    await t.gql<{
      category: {
        productCount: number;
        products: { edges: Array<{ node: { id: string; priceCents: number } }> };
      } | null;
    }>(CATEGORY_PRODUCTS, { slug }),
  );
  return data.category!.products.edges.map((e) => e.node);
}

async function featuredIds(): Promise<string[]> {
  const data = expectData(
    await t.gql<{ featuredProducts: { edges: Array<{ node: { id: string } }> } }>(FEATURED),
  );
  return data.featuredProducts.edges.map((e) => rawId(e.node.id));
}

/** Anonymous and customer calls are refused before any DynamoDB call. */
async function expectAdminOnly(query: string, variables: Record<string, unknown>) {
  for (const [token, code] of [
    [undefined, 'UNAUTHENTICATED'],
    [customer, 'FORBIDDEN'],
  ] as const) {
    const { result, total } = await t.wireCalls(() =>
      t.gql(query, variables, token ? { token } : {}),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(result.data ?? null).toBeNull();
    expect(total).toBe(0);
  }
}

/**
 * An app whose DynamoDB client runs `before` ahead of every TransactWriteItems it sends: another
 * writer acting between updateProduct's read and its write, or a barrier for a race.
 */
function appWithHookBeforeWrite(before: () => Promise<void>): { app: TestApp; dynamo: Dynamo } {
  const dynamo = createDynamo({
    endpoint: table.endpoint,
    region: 'us-east-1',
    localCredentials: true,
  });
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') await before();
      return next(args);
    },
    { step: 'initialize', name: 'beforeTransactWrite' },
  );
  return { app: createTestApp({ ...table, dynamo }), dynamo };
}

// ------------------------------------------------------------------------------ createCategory

describe('createCategory', () => {
  it('puts the category with productCount 0 and lists it', async () => {
    const { result, calls } = await t.wireCalls(() =>
      createCategory({ slug: 'garden-tools', name: '  Garden tools ', description: 'Dig' }),
    );
    expect(result).toEqual({
      __typename: 'CreateCategorySuccess',
      category: {
        id: encodeGlobalID('Category', 'garden-tools'),
        slug: 'garden-tools',
        name: 'Garden tools',
        description: 'Dig',
        productCount: 0,
      },
    });
    expect(calls).toEqual({ PutItem: 1 });
    expect(await stored(categoryKey('garden-tools'))).toMatchObject({
      entity: 'Category',
      slug: 'garden-tools',
      name: 'Garden tools',
      productCount: 0,
    });
    expect((await productCounts())['garden-tools']).toBe(0);
  });

  it('an existing slug is AlreadyExistsError and the category is unchanged', async () => {
    await createCategory({ slug: 'lamps', name: 'Lamps' });
    const before = await stored(categoryKey('lamps'));
    const again = await createCategory({ slug: 'lamps', name: 'Other lamps', description: 'x' });
    expect(again.__typename).toBe('AlreadyExistsError');
    expect(again.entity).toBe('Category');
    expect(again.message).toMatch(/lamps/);
    expect(await stored(categoryKey('lamps'))).toEqual(before);
  });

  it.each([
    [{ slug: 'Garden', name: 'x' }, 'input.slug'],
    [{ slug: 'a', name: 'x' }, 'input.slug'],
    [{ slug: 'a'.repeat(65), name: 'x' }, 'input.slug'],
    [{ slug: 'a--b', name: 'x' }, 'input.slug'],
    [{ slug: '-ab', name: 'x' }, 'input.slug'],
    [{ slug: 'ab-', name: 'x' }, 'input.slug'],
    [{ slug: 'with space', name: 'x' }, 'input.slug'],
    [{ slug: 'ok-slug', name: '   ' }, 'input.name'],
    [{ slug: 'ok-slug', name: 'n'.repeat(101) }, 'input.name'],
    [{ slug: 'ok-slug', name: 'x', description: 'd'.repeat(2_001) }, 'input.description'],
  ])('%j is a ValidationError on %s, with no DynamoDB call', async (input, field) => {
    const { result, total } = await t.wireCalls(() => createCategory(input));
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(total).toBe(0);
  });

  it('accepts the longest slug and a 100-character name', async () => {
    const result = await createCategory({ slug: 'a'.repeat(64), name: 'n'.repeat(100) });
    expect(result.__typename).toBe('CreateCategorySuccess');
  });

  it('is for admins only', async () => {
    await expectAdminOnly(CREATE_CATEGORY, { input: { slug: 'sneaky', name: 'Sneaky' } });
    expect(await stored(categoryKey('sneaky'))).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------ createProduct

describe('createProduct', () => {
  beforeAll(async () => {
    for (const slug of ['kitchen', 'bath']) {
      expect((await createCategory({ slug, name: slug })).__typename).toBe('CreateCategorySuccess');
    }
  });

  it('writes product, inventory and the category count in one transaction', async () => {
    const before = await productCounts();
    const { result, calls } = await t.wireCalls(() =>
      createProduct({ categorySlug: 'kitchen', featured: true, stock: 5 }),
    );
    expect(result.__typename).toBe('CreateProductSuccess');
    const product = result.product!;
    const id = rawId(product.id);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(product).toMatchObject({
      name: 'Chef knife',
      priceCents: 4_999,
      currency: 'USD',
      featured: true,
      stock: 5,
      version: 1,
    });
    // Stock and every other field of the answer come from what was written.
    expect(calls).toEqual({ TransactWriteItems: 1 });

    expect((await productCounts()).kitchen).toBe((before.kitchen ?? 0) + 1);
    expect((await categoryProducts('kitchen')).map((p) => p.id)).toContain(product.id);
    expect((await featuredIds())[0]).toBe(id);
    const item = await stored(productKey(id));
    expect(item).toMatchObject({
      entity: 'Product',
      categorySlug: 'kitchen',
      version: 1,
      ratingCount: 0,
      ratingSum: 0,
      GSI1PK: 'CATEGORY#kitchen',
      GSI1SK: `PRICE#000000004999#${id}`,
      GSI2PK: 'FEATURED',
      GSI2SK: `${item?.updatedAt}#${id}`,
    });
    expect(await stored(inventoryKey(id))).toMatchObject({ entity: 'Inventory', stock: 5 });
  });

  it('a product that is not featured stays out of the featured index', async () => {
    const result = await createProduct({ categorySlug: 'kitchen', currency: 'EUR', stock: 0 });
    expect(result.product).toMatchObject({ currency: 'EUR', featured: false, stock: 0 });
    const id = rawId(result.product!.id);
    const item = await stored(productKey(id));
    expect(item?.GSI2PK).toBeUndefined();
    expect(item?.GSI2SK).toBeUndefined();
    expect(await featuredIds()).not.toContain(id);
    expect(await gsi1('kitchen')).toContain(id);
  });

  it('a missing category is NotFoundError and nothing is written', async () => {
    const before = await productCounts();
    const { result, calls } = await t.wireCalls(() =>
      createProduct({ categorySlug: 'no-such-category', featured: true }),
    );
    expect(result.__typename).toBe('NotFoundError');
    expect(result.entity).toBe('Category');
    expect(result.message).toMatch(/categorySlug.*no-such-category/);
    expect(calls).toEqual({ TransactWriteItems: 1 });
    expect(await gsi1('no-such-category')).toEqual([]);
    expect(await stored(categoryKey('no-such-category'))).toBeUndefined();
    expect(await productCounts()).toEqual(before);
  });

  it.each([
    [{ name: '' }, 'input.name'],
    [{ name: '   ' }, 'input.name'],
    [{ name: 'n'.repeat(201) }, 'input.name'],
    [{ description: 'd'.repeat(5_001) }, 'input.description'],
    [{ priceCents: -1 }, 'input.priceCents'],
    [{ priceCents: 100_000_001 }, 'input.priceCents'],
    [{ currency: 'usd' }, 'input.currency'],
    [{ currency: 'US' }, 'input.currency'],
    [{ currency: 'USDX' }, 'input.currency'],
    [{ categorySlug: 'Kitchen' }, 'input.categorySlug'],
    [{ stock: -1 }, 'input.stock'],
    [{ stock: 1_000_001 }, 'input.stock'],
  ])('%j is a ValidationError on %s, with no DynamoDB call', async (input, field) => {
    const { result, total } = await t.wireCalls(() =>
      createProduct({ categorySlug: 'bath', ...input }),
    );
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(total).toBe(0);
  });

  it('accepts the bounds: price 0 and 100000000, stock 1000000, a 200-character name', async () => {
    for (const input of [
      { priceCents: 0, stock: 1_000_000 },
      { priceCents: 100_000_000, name: 'n'.repeat(200), description: '' },
    ]) {
      const result = await createProduct({ categorySlug: 'bath', ...input });
      expect(result.__typename).toBe('CreateProductSuccess');
    }
    expect((await productCounts()).bath).toBe(2);
  });

  it('is for admins only', async () => {
    await expectAdminOnly(CREATE_PRODUCT, {
      input: { ...baseProduct, name: 'Sneaky', categorySlug: 'kitchen' },
    });
    expect((await categoryProducts('kitchen')).length).toBe((await productCounts()).kitchen);
  });
});

// ------------------------------------------------------------------------------ updateProduct

describe('updateProduct', () => {
  beforeAll(async () => {
    for (const slug of ['alpha', 'beta', 'prices']) await createCategory({ slug, name: slug });
  });

  it('a price change bumps the version and moves the product in GSI1 order', async () => {
    const [cheap, mid, dear] = [
      await newProduct({ categorySlug: 'prices', priceCents: 100 }),
      await newProduct({ categorySlug: 'prices', priceCents: 200 }),
      await newProduct({ categorySlug: 'prices', priceCents: 300 }),
    ];
    const { result, calls } = await t.wireCalls(() =>
      updateProduct({ id: productGid(cheap), expectedVersion: 1, priceCents: 250 }),
    );
    expect(result.__typename).toBe('UpdateProductSuccess');
    expect(result.product).toMatchObject({ priceCents: 250, version: 2, name: 'Chef knife' });
    // Consistent read, the transaction, the consistent read back.
    expect(calls).toEqual({ BatchGetItem: 2, TransactWriteItems: 1 });
    expect((await categoryProducts('prices')).map((p) => [rawId(p.id), p.priceCents])).toEqual([
      [mid, 200],
      [cheap, 250],
      [dear, 300],
    ]);
    expect((await stored(productKey(cheap)))?.GSI1SK).toBe(`PRICE#000000000250#${cheap}`);
  });

  it('a category change moves the product to the other list and moves both counts', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const before = await productCounts();
    const result = await updateProduct({
      id: productGid(id),
      expectedVersion: 1,
      categorySlug: 'beta',
      name: 'Moved knife',
    });
    expect(result.product).toMatchObject({ name: 'Moved knife', version: 2 });
    const after = await productCounts();
    expect(after.alpha).toBe(before.alpha! - 1);
    expect(after.beta).toBe(before.beta! + 1);
    expect((await categoryProducts('alpha')).map((p) => rawId(p.id))).not.toContain(id);
    expect((await categoryProducts('beta')).map((p) => rawId(p.id))).toContain(id);
    expect(await stored(productKey(id))).toMatchObject({
      categorySlug: 'beta',
      GSI1PK: 'CATEGORY#beta',
      GSI1SK: `PRICE#000000004999#${id}`,
    });
  });

  it('unfeaturing removes the product from featuredProducts and the index keys from the item', async () => {
    const id = await newProduct({ categorySlug: 'alpha', featured: true });
    expect(await featuredIds()).toContain(id);
    const result = await updateProduct({ id: productGid(id), expectedVersion: 1, featured: false });
    expect(result.product).toMatchObject({ featured: false, version: 2 });
    expect(await featuredIds()).not.toContain(id);
    const item = await stored(productKey(id));
    expect(item).toMatchObject({ featured: false });
    expect(item).not.toHaveProperty('GSI2PK');
    expect(item).not.toHaveProperty('GSI2SK');
  });

  it('featuring adds it first to featuredProducts; a featured product moves up when updated', async () => {
    const first = await newProduct({ categorySlug: 'alpha' });
    const second = await newProduct({ categorySlug: 'alpha', featured: true });
    await updateProduct({ id: productGid(first), expectedVersion: 1, featured: true });
    expect((await featuredIds()).slice(0, 2)).toEqual([first, second]);
    await updateProduct({ id: productGid(second), expectedVersion: 1, name: 'Renamed' });
    expect((await featuredIds()).slice(0, 2)).toEqual([second, first]);
    const item = await stored(productKey(second));
    expect(item?.GSI2SK).toBe(`${item?.updatedAt}#${second}`);
  });

  it('a stale expectedVersion is VersionConflictError with the current version, at once', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    await updateProduct({ id: productGid(id), expectedVersion: 1, name: 'Second' });
    const before = await stored(productKey(id));
    const { result, calls } = await t.wireCalls(() =>
      updateProduct({ id: productGid(id), expectedVersion: 1, name: 'Stale' }),
    );
    expect(result).toMatchObject({
      __typename: 'VersionConflictError',
      currentVersion: 2,
      expectedVersion: 1,
    });
    expect(calls).toEqual({ BatchGetItem: 1 });
    expect(await stored(productKey(id))).toEqual(before);
  });

  it('an update that lands between the read and the write wins; the conflict needs no extra read', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const { app, dynamo } = appWithHookBeforeWrite(async () => {
      await table.dynamo.doc.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: productKey(id),
          UpdateExpression: 'SET #name = :name, #version = #version + :one',
          ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
          ExpressionAttributeValues: { ':name': 'Other admin', ':one': 1 },
        }),
      );
    });
    try {
      const before = dynamo.wire.snapshot();
      const result = await updateProduct(
        { id: productGid(id), expectedVersion: 1, name: 'Too late', categorySlug: 'beta' },
        app,
      );
      expect(result).toMatchObject({
        __typename: 'VersionConflictError',
        currentVersion: 2,
        expectedVersion: 1,
      });
      const { calls } = dynamo.wire.since(before);
      expect(calls.BatchGetItem).toBe(1);
      expect(calls.TransactWriteItems).toBe(1);
    } finally {
      dynamo.destroy();
    }
    expect(await stored(productKey(id))).toMatchObject({
      name: 'Other admin',
      version: 2,
      categorySlug: 'alpha',
    });
    expect(await gsi1('beta')).not.toContain(id);
  });

  it('keeps ratingSum and ratingCount that a review wrote between the read and the write', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    // What the review transaction does: the rating counters, not the version.
    const { app, dynamo } = appWithHookBeforeWrite(async () => {
      await table.dynamo.doc.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: productKey(id),
          UpdateExpression: 'SET ratingSum = ratingSum + :r, ratingCount = ratingCount + :one',
          ExpressionAttributeValues: { ':r': 4, ':one': 1 },
        }),
      );
    });
    try {
      const result = await updateProduct(
        { id: productGid(id), expectedVersion: 1, priceCents: 1_234, description: 'New' },
        app,
      );
      expect(result.__typename).toBe('UpdateProductSuccess');
      // The answer is read back after the write, so it shows the review too.
      expect(result.product).toMatchObject({
        priceCents: 1_234,
        description: 'New',
        version: 2,
        rating: { count: 1, average: 4 },
      });
    } finally {
      dynamo.destroy();
    }
    expect(await stored(productKey(id))).toMatchObject({
      ratingSum: 4,
      ratingCount: 1,
      priceCents: 1_234,
      version: 2,
    });
  });

  it('of concurrent updates with the same expectedVersion exactly one succeeds', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const names = ['One', 'Two', 'Three', 'Four', 'Five'];
    const results = await Promise.all(
      names.map((name) => updateProduct({ id: productGid(id), expectedVersion: 1, name })),
    );
    const winners = results.filter((r) => r.__typename === 'UpdateProductSuccess');
    const losers = results.filter((r) => r.__typename === 'VersionConflictError');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(names.length - 1);
    for (const loser of losers) expect(loser.currentVersion).toBe(2);
    expect(await stored(productKey(id))).toMatchObject({
      name: winners[0]!.product!.name,
      version: 2,
    });
  });

  it('when every racer has read version 1, the write condition lets exactly one through', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const names = ['One', 'Two', 'Three', 'Four', 'Five'];
    // A barrier: no transaction goes out before all of them have passed their read.
    let arrived = 0;
    let release = () => {};
    const allArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app, dynamo } = appWithHookBeforeWrite(async () => {
      arrived += 1;
      if (arrived === names.length) release();
      await Promise.race([allArrived, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    });
    try {
      const results = await Promise.all(
        names.map((name) => updateProduct({ id: productGid(id), expectedVersion: 1, name }, app)),
      );
      expect(arrived).toBe(names.length);
      expect(dynamo.wire.snapshot().TransactWriteItems).toBe(names.length);
      const winners = results.filter((r) => r.__typename === 'UpdateProductSuccess');
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.__typename === 'VersionConflictError')).toEqual(
        Array.from({ length: names.length - 1 }, () =>
          expect.objectContaining({ currentVersion: 2, expectedVersion: 1 }),
        ),
      );
      expect(await stored(productKey(id))).toMatchObject({
        name: winners[0]!.product!.name,
        version: 2,
      });
    } finally {
      dynamo.destroy();
    }
  });

  it('an unknown product is NotFoundError, without a write', async () => {
    const { result, calls } = await t.wireCalls(() =>
      updateProduct({ id: productGid('01NOSUCHPRODUCT0000000000'), expectedVersion: 1, name: 'x' }),
    );
    expect(result).toMatchObject({ __typename: 'NotFoundError', entity: 'Product' });
    expect(calls).toEqual({ BatchGetItem: 1 });
  });

  it('an unknown new category is NotFoundError and nothing changes', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const before = await stored(productKey(id));
    const counts = await productCounts();
    const result = await updateProduct({
      id: productGid(id),
      expectedVersion: 1,
      categorySlug: 'nowhere',
    });
    expect(result).toMatchObject({ __typename: 'NotFoundError', entity: 'Category' });
    expect(result.message).toMatch(/categorySlug.*nowhere/);
    expect(await stored(productKey(id))).toEqual(before);
    expect(await productCounts()).toEqual(counts);
    expect(await stored(categoryKey('nowhere'))).toBeUndefined();
  });

  it.each([
    [{}, 'input'],
    [{ name: null, featured: null }, 'input'],
    [{ name: '' }, 'input.name'],
    [{ description: 'd'.repeat(5_001) }, 'input.description'],
    [{ priceCents: -5 }, 'input.priceCents'],
    [{ categorySlug: 'Not A Slug' }, 'input.categorySlug'],
    [{ expectedVersion: 0, name: 'x' }, 'input.expectedVersion'],
  ])('%j is a ValidationError on %s, with no DynamoDB call', async (input, field) => {
    const { result, total } = await t.wireCalls(() =>
      updateProduct({ id: productGid('01ANYPRODUCT0000000000000'), expectedVersion: 1, ...input }),
    );
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(total).toBe(0);
  });

  it('an update that changes nothing is a ValidationError and keeps the version', async () => {
    const id = await newProduct({ categorySlug: 'alpha', featured: true });
    const before = await stored(productKey(id));
    const { result, calls } = await t.wireCalls(() =>
      updateProduct({
        id: productGid(id),
        expectedVersion: 1,
        name: baseProduct.name,
        priceCents: baseProduct.priceCents,
        categorySlug: 'alpha',
        featured: true,
      }),
    );
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'input' });
    expect(calls).toEqual({ BatchGetItem: 1 });
    expect(await stored(productKey(id))).toEqual(before);
  });

  it('refuses an id of another type', async () => {
    const response = await t.gql(
      UPDATE_PRODUCT,
      { input: { id: encodeGlobalID('Category', 'alpha'), expectedVersion: 1, name: 'x' } },
      { token: admin },
    );
    expect(response.errors?.[0]?.message).toMatch(/Product/);
    expect(response.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('is for admins only', async () => {
    const id = await newProduct({ categorySlug: 'alpha' });
    const before = await stored(productKey(id));
    await expectAdminOnly(UPDATE_PRODUCT, {
      input: { id: productGid(id), expectedVersion: 1, name: 'Sneaky' },
    });
    expect(await stored(productKey(id))).toEqual(before);
  });
});

// ------------------------------------------------------------------------------ restock

describe('restock', () => {
  let id: string;
  beforeAll(async () => {
    await createCategory({ slug: 'stocked', name: 'Stocked' });
    id = await newProduct({ categorySlug: 'stocked', stock: 5 });
  });

  it('adds to the stock and answers the new figure', async () => {
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ restock: ProductResult }>(
        RESTOCK,
        { productId: productGid(id), quantity: 7 },
        { token: admin },
      ),
    );
    expect(expectData(result).restock).toEqual({
      __typename: 'RestockSuccess',
      product: { id: productGid(id), stock: 12 },
    });
    // UpdateItem (ALL_NEW gives the stock), and the product read consistently.
    expect(calls).toEqual({ UpdateItem: 1, BatchGetItem: 1 });
    expect(await stored(inventoryKey(id))).toMatchObject({ stock: 12 });
  });

  it('a second restock in the same request shows its own figure, not the cached one', async () => {
    const before = (await stored(inventoryKey(id)))?.stock as number;
    const data = expectData(
      await t.gql<{ a: { product: { stock: number } }; b: { product: { stock: number } } }>(
        `mutation($id: ID!) {
          a: restock(productId: $id, quantity: 1) { ... on RestockSuccess { product { stock } } }
          b: restock(productId: $id, quantity: 2) { ... on RestockSuccess { product { stock } } }
        }`,
        { id: productGid(id) },
        { token: admin },
      ),
    );
    expect([data.a.product.stock, data.b.product.stock]).toEqual([before + 1, before + 3]);
  });

  it('an unknown product is NotFoundError and no inventory appears', async () => {
    const missing = '01NOSUCHPRODUCT0000000001';
    const response = await t.gql<{ restock: ProductResult }>(
      RESTOCK,
      { productId: productGid(missing), quantity: 3 },
      { token: admin },
    );
    expect(expectData(response).restock).toMatchObject({
      __typename: 'NotFoundError',
      entity: 'Product',
    });
    expect(await stored(inventoryKey(missing))).toBeUndefined();
  });

  it.each([0, -1, 1_000_001])(
    'quantity %d is a ValidationError with no DynamoDB call',
    async (quantity) => {
      const before = await stored(inventoryKey(id));
      const { result, total } = await t.wireCalls(() =>
        t.gql<{ restock: ProductResult }>(
          RESTOCK,
          { productId: productGid(id), quantity },
          { token: admin },
        ),
      );
      expect(expectData(result).restock).toMatchObject({
        __typename: 'ValidationError',
        field: 'quantity',
      });
      expect(total).toBe(0);
      expect(await stored(inventoryKey(id))).toEqual(before);
    },
  );

  it('is for admins only', async () => {
    const before = await stored(inventoryKey(id));
    await expectAdminOnly(RESTOCK, { productId: productGid(id), quantity: 100 });
    expect(await stored(inventoryKey(id))).toEqual(before);
  });
});

// --------------------------------------------------------------- documents/admin.graphql

describe('the admin operations of documents/', () => {
  const run = async <T>(name: string, variables: Record<string, unknown>): Promise<T> =>
    expectData(await t.gql<T>(operation(name), variables, { token: admin }));

  it('CreateCategory, CreateProduct, UpdateProduct (and its conflict), Restock', async () => {
    const category = await run<{ createCategory: CategorySuccess }>('CreateCategory', {
      input: { slug: 'contract', name: 'Contract' },
    });
    expect(category.createCategory).toEqual({
      __typename: 'CreateCategorySuccess',
      category: { id: encodeGlobalID('Category', 'contract'), slug: 'contract', name: 'Contract' },
    });

    const created = await run<{ createProduct: ProductResult }>('CreateProduct', {
      input: {
        name: 'Contract lamp',
        description: 'Bright',
        priceCents: 2_500,
        currency: 'USD',
        categorySlug: 'contract',
        featured: true,
        stock: 3,
      },
    });
    expect(created.createProduct).toMatchObject({
      __typename: 'CreateProductSuccess',
      product: { name: 'Contract lamp', priceCents: 2_500, stock: 3, version: 1 },
    });
    const productId = created.createProduct.product!.id;

    const updated = await run<{ updateProduct: ProductResult }>('UpdateProduct', {
      input: { id: productId, expectedVersion: 1, priceCents: 2_000, featured: false },
    });
    expect(updated.updateProduct).toEqual({
      __typename: 'UpdateProductSuccess',
      product: {
        id: productId,
        name: 'Contract lamp',
        priceCents: 2_000,
        featured: false,
        version: 2,
      },
    });

    const stale = await run<{ updateProduct: ProductResult }>('UpdateProduct', {
      input: { id: productId, expectedVersion: 1, name: 'Stale' },
    });
    expect(stale.updateProduct).toMatchObject({
      __typename: 'VersionConflictError',
      currentVersion: 2,
    });
    expect(stale.updateProduct.message).toMatch(/expected version 1, current version 2/);

    const restocked = await run<{ restock: ProductResult }>('Restock', {
      productId,
      quantity: 4,
    });
    expect(restocked.restock).toEqual({
      __typename: 'RestockSuccess',
      product: { id: productId, stock: 7 },
    });
  });
});
