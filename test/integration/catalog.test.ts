import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryItem } from '../../src/models/inventory.js';
import { productItem } from '../../src/models/product.js';
import { TABLE_SCHEMA } from '../../src/models/table-schema.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aProduct, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';

let table: TestTable;
let t: TestApp;
let catalog: Catalog;

beforeAll(async () => {
  table = await createTestTable('catalog');
  catalog = await loadCatalog(table);
  t = createTestApp(table);
});
afterAll(() => table.drop());

const productGid = (id: string) => encodeGlobalID('Product', id);

const CATEGORY_PAGE = /* GraphQL */ `
  query CategoryPage($slug: String!, $minPriceCents: Int, $maxPriceCents: Int, $sort: ProductSort, $first: Int, $after: String) {
    category(slug: $slug) {
      id slug name
      products(minPriceCents: $minPriceCents, maxPriceCents: $maxPriceCents, sort: $sort, first: $first, after: $after) {
        edges { cursor node { id name priceCents currency stock featured } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

type ProductsPage = {
  category: {
    slug: string;
    products: {
      edges: Array<{
        cursor: string;
        node: { id: string; name: string; priceCents: number; stock: number };
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
};

type ProductEdges = { edges: Array<{ node: { priceCents: number; stock: number } }> };

describe('categories (access pattern 4)', () => {
  it('lists every category with its kept productCount, in one Query', async () => {
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ categories: Array<{ slug: string; productCount: number }> }>(
        'query { categories { id slug name productCount } }',
      ),
    );
    expect(expectData(result).categories.map((c) => [c.slug, c.productCount])).toEqual([
      ['tools', 45],
      ['toys', 5],
    ]);
    expect(calls).toEqual({ Query: 1 });
  });
});

describe('category products (access pattern 2, GSI1)', () => {
  it('pages through a category by price with exact hasNextPage and no duplicates', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const data: ProductsPage = expectData(
        await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools', first: 20, after }),
      );
      const products = data.category!.products;
      seen.push(...products.edges.map((e) => e.node.priceCents));
      pages.push(products.pageInfo.hasNextPage);
      after = products.pageInfo.hasNextPage ? products.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual([true, true, false]);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => (i + 1) * 100));
  });

  it('hasNextPage is exact when a page ends on the last item', async () => {
    const full = expectData(await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools', first: 45 }));
    expect(full.category!.products.edges).toHaveLength(45);
    expect(full.category!.products.pageInfo.hasNextPage).toBe(false);
    const one = expectData(await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools', first: 44 }));
    expect(one.category!.products.pageInfo.hasNextPage).toBe(true);
  });

  it('sorts descending and filters an inclusive price range', async () => {
    const data = expectData(
      await t.gql<ProductsPage>(CATEGORY_PAGE, {
        slug: 'tools',
        sort: 'PRICE_DESC',
        minPriceCents: 1_000,
        maxPriceCents: 1_500,
      }),
    );
    expect(data.category!.products.edges.map((e) => e.node.priceCents)).toEqual([
      1500, 1400, 1300, 1200, 1100, 1000,
    ]);
  });

  it('returns stock from the inventory items with one BatchGetItem for the page', async () => {
    const { result, calls } = await t.wireCalls(() =>
      t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools', first: 20 }),
    );
    const edges = expectData(result).category!.products.edges;
    const byName = new Map(catalog.products.map((p) => [p.name, p]));
    for (const { node } of edges) {
      expect(node.stock).toBe(catalog.stock.get(byName.get(node.name)!.id));
    }
    // The GSI1 Query (it needs only the slug), then one BatchGet: the category item with the
    // 20 inventory items.
    expect(calls).toEqual({ BatchGetItem: 1, Query: 1 });
  });

  it('reads the category alone when its products are not asked for, and in the stock batch when they are', async () => {
    const alone = await t.wireCalls(() =>
      t.gql<{ category: { name: string } }>('query ($s: String!) { category(slug: $s) { name } }', {
        s: 'tools',
      }),
    );
    expect(expectData(alone.result).category.name).toBe('Category tools');
    expect(alone.calls).toEqual({ BatchGetItem: 1 });

    // Products without stock: the Query, then the category item by itself.
    const noStock = await t.wireCalls(() =>
      t.gql<{ category: { name: string; products: { edges: unknown[] } } }>(
        'query ($s: String!) { category(slug: $s) { name products(first: 5) { edges { node { name } } } } }',
        { s: 'tools' },
      ),
    );
    expect(expectData(noStock.result).category.products.edges).toHaveLength(5);
    expect(noStock.calls).toEqual({ BatchGetItem: 1, Query: 1 });

    // Two aliases with different arguments each read their own page; both are right.
    const aliased = await t.gql<{
      category: { cheap: ProductEdges; dear: ProductEdges };
    }>(
      `query ($s: String!) { category(slug: $s) {
        cheap: products(first: 3, sort: PRICE_ASC) { edges { node { priceCents stock } } }
        dear: products(first: 3, sort: PRICE_DESC) { edges { node { priceCents stock } } }
      } }`,
      { s: 'tools' },
    );
    const { cheap, dear } = expectData(aliased).category;
    expect(cheap.edges[0]!.node.priceCents).toBeLessThanOrEqual(dear.edges[2]!.node.priceCents);
    expect(dear.edges.map((e) => e.node.priceCents)).toEqual(
      dear.edges.map((e) => e.node.priceCents).sort((a, b) => b - a),
    );
  });

  it('an unknown category with its products asked for is null, after the same two calls', async () => {
    const { result, calls } = await t.wireCalls(() =>
      t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'no-such-category', first: 20 }),
    );
    expect(expectData(result).category).toBeNull();
    expect(calls).toEqual({ BatchGetItem: 1, Query: 1 });
  });

  it('uses a default page of 20 and refuses first above 100', async () => {
    const data = expectData(await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools' }));
    expect(data.category!.products.edges).toHaveLength(20);
    const tooMany = await t.gql(CATEGORY_PAGE, { slug: 'tools', first: 101 });
    expect(tooMany.errors?.[0]?.message).toBe('first must be between 0 and 100');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an unknown category is null', async () => {
    const data = expectData(await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'nope' }));
    expect(data.category).toBeNull();
  });

  it('arguments outside their rules are BAD_USER_INPUT errors naming them, not server errors', async () => {
    const { result, total } = await t.wireCalls(() => t.gql(CATEGORY_PAGE, { slug: 'Not A Slug' }));
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^slug: must be lowercase letters/),
      extensions: { code: 'BAD_USER_INPUT', field: 'slug' },
    });
    expect(total).toBe(0);
    // A negative price bound used to reach the key builder and fail as INTERNAL_SERVER_ERROR.
    for (const bounds of [{ minPriceCents: -1 }, { maxPriceCents: 100_000_001 }]) {
      const response = await t.gql(CATEGORY_PAGE, { slug: 'tools', ...bounds });
      const [field] = Object.keys(bounds);
      expect(response.errors?.[0]).toMatchObject({
        message: `${field}: must be an integer between 0 and 100000000`,
        extensions: { code: 'BAD_USER_INPUT', field },
      });
    }
  });
});

describe('signed cursors', () => {
  const FEATURED =
    'query($first: Int, $after: String) { featuredProducts(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
  type Featured = {
    featuredProducts: { edges: Array<{ cursor: string }>; pageInfo: { endCursor: string } };
  };

  async function categoryCursor(vars: Record<string, unknown>) {
    const data = expectData(await t.gql<ProductsPage>(CATEGORY_PAGE, { first: 2, ...vars }));
    return data.category!.products.pageInfo.endCursor!;
  }

  it('an altered cursor is refused with BAD_CURSOR and causes no DynamoDB call', async () => {
    const data = expectData(await t.gql<Featured>(FEATURED, { first: 2 }));
    const cursor = data.featuredProducts.pageInfo.endCursor;
    const [version, body, mac] = cursor.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload[TABLE_SCHEMA.indexes.GSI2.sortKey] = '9999';
    const forged = `${version}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    for (const after of [forged, `${cursor}x`, 'garbage', '', 'v1..']) {
      const { result, total } = await t.wireCalls(() => t.gql(FEATURED, { first: 2, after }));
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
      expect(result.errors?.[0]?.message).toMatch(/Invalid cursor/);
      expect(result.data).toBeNull();
      expect(total).toBe(0);
    }
  });

  it('a cursor from other arguments, another category or another field is refused', async () => {
    const asc = await categoryCursor({ slug: 'tools' });
    const ranged = await categoryCursor({ slug: 'tools', minPriceCents: 300 });
    const toys = await categoryCursor({ slug: 'toys' });
    const featured = expectData(await t.gql<Featured>(FEATURED, { first: 2 })).featuredProducts
      .pageInfo.endCursor;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ slug: 'tools', sort: 'PRICE_DESC' }, asc],
      [{ slug: 'tools' }, ranged],
      [{ slug: 'tools' }, toys],
      [{ slug: 'tools' }, featured],
    ];
    for (const [vars, after] of cases) {
      const { result, calls } = await t.wireCalls(() =>
        t.gql(CATEGORY_PAGE, { first: 2, ...vars, after }),
      );
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
      // The category itself is read; the products Query never runs.
      expect(calls.Query).toBeUndefined();
    }
    // The same cursor with its own arguments works, and a different page size is allowed.
    const next = expectData(
      await t.gql<ProductsPage>(CATEGORY_PAGE, { slug: 'tools', first: 3, after: asc }),
    );
    expect(next.category!.products.edges.map((e) => e.node.priceCents)).toEqual([300, 400, 500]);
  });
});

describe('featured products (access pattern 3, sparse GSI2)', () => {
  it('lists exactly the featured products, newest update first', async () => {
    const data = expectData(
      await t.gql<{ featuredProducts: { edges: Array<{ node: { name: string } }> } }>(
        '{ featuredProducts(first: 50) { edges { node { name } } } }',
      ),
    );
    const expected = catalog.products
      .filter((p) => p.featured)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .map((p) => p.name);
    expect(data.featuredProducts.edges.map((e) => e.node.name)).toEqual(expected);
    expect(expected).toHaveLength(9);
  });
});

describe('products by id (access pattern 1)', () => {
  let bulk: string[];
  beforeAll(async () => {
    const products = Array.from({ length: 100 }, (_, i) =>
      aProduct({ categorySlug: 'bulk', name: `Bulk ${i}`, priceCents: 100 + i }),
    );
    await putItems(table, [
      ...products.map(productItem),
      ...products.map((p) => inventoryItem({ productId: p.id, stock: 7, updatedAt: p.updatedAt })),
    ]);
    bulk = products.map((p) => p.id);
  });

  const PRODUCTS = 'query($ids: [ID!]!) { products(ids: $ids) { id name priceCents } }';
  const PRODUCTS_STOCK = 'query($ids: [ID!]!) { products(ids: $ids) { id name priceCents stock } }';

  it('reads 100 ids with one BatchGetItem, and two when stock is asked', async () => {
    const ids = bulk.map(productGid);
    const plain = await t.wireCalls(() =>
      t.gql<{ products: Array<{ name: string }> }>(PRODUCTS, { ids }),
    );
    expect(expectData(plain.result).products.map((p) => p.name)).toEqual(
      bulk.map((_, i) => `Bulk ${i}`),
    );
    expect(plain.calls).toEqual({ BatchGetItem: 1 });

    const withStock = await t.wireCalls(() =>
      t.gql<{ products: Array<{ stock: number }> }>(PRODUCTS_STOCK, { ids }),
    );
    expect(expectData(withStock.result).products.every((p) => p.stock === 7)).toBe(true);
    expect(withStock.calls).toEqual({ BatchGetItem: 2 });
  });

  it('keeps the asked order, answers duplicates, and gives null for a missing id', async () => {
    const [a, b] = bulk as [string, string];
    const ids = [
      productGid(b),
      productGid('01MISSINGMISSINGMISSING000'),
      productGid(a),
      productGid(b),
    ];
    const data = expectData(
      await t.gql<{ products: Array<{ name: string } | null> }>(PRODUCTS, { ids }),
    );
    expect(data.products.map((p) => p?.name ?? null)).toEqual(['Bulk 1', null, 'Bulk 0', 'Bulk 1']);
  });

  it('refuses more than 100 ids without a DynamoDB call', async () => {
    const ids = [...bulk, bulk[0]!].map(productGid);
    const { result, total } = await t.wireCalls(() => t.gql(PRODUCTS, { ids }));
    expect(result.errors?.[0]?.message).toBe('ids: at most 100 ids per request');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(total).toBe(0);
  });

  it('refuses an id of another type', async () => {
    const response = await t.gql(PRODUCTS, { ids: [encodeGlobalID('Category', 'tools')] });
    expect(response.errors?.[0]?.message).toMatch(/Product/);
    expect(response.data ?? null).toBeNull();
  });
});

describe('product page', () => {
  const PRODUCT_PAGE = /* GraphQL */ `
    query ProductPage($id: ID!, $reviews: Int, $after: String) {
      product(id: $id) {
        id name description priceCents currency stock featured version
        category { id slug name }
        rating { average count }
        reviews(first: $reviews, after: $after) {
          edges { cursor node { id rating body createdAt author { id name } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }`;
  type Page = {
    product: {
      name: string;
      stock: number;
      category: { slug: string };
      rating: { average: number | null; count: number };
      reviews: {
        edges: Array<{
          node: { rating: number; createdAt: string; author: { name: string } | null };
        }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    } | null;
  };

  it('answers product, stock, category, rating and 10 reviews with authors in 3 DynamoDB calls', async () => {
    const reviewed = catalog.products[0]!;
    const { result, calls, total } = await t.wireCalls(() =>
      t.gql<Page>(PRODUCT_PAGE, { id: productGid(reviewed.id), reviews: 10 }),
    );
    const product = expectData(result).product!;
    expect(product.name).toBe(reviewed.name);
    expect(product.category.slug).toBe('tools');
    expect(product.stock).toBe(catalog.stock.get(reviewed.id));
    const ratings = catalog.reviews.map((r) => r.rating);
    expect(product.rating).toEqual({
      count: 12,
      average: Math.round((ratings.reduce((a, b) => a + b, 0) / 12) * 100) / 100,
    });
    const newestFirst = [...catalog.reviews].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    expect(product.reviews.edges.map((e) => e.node.createdAt)).toEqual(
      newestFirst.slice(0, 10).map((r) => r.createdAt),
    );
    const names = new Map(catalog.customers.map((c) => [c.id, c.name]));
    expect(product.reviews.edges.map((e) => e.node.author?.name)).toEqual(
      newestFirst.slice(0, 10).map((r) => names.get(r.customerId)),
    );
    expect(product.reviews.pageInfo.hasNextPage).toBe(true);
    expect(total).toBeLessThanOrEqual(3);
    expect(calls).toEqual({ BatchGetItem: 2, Query: 1 });
  });

  it('a product without reviews has a null average', async () => {
    const plain = catalog.products[1]!;
    const data = expectData(await t.gql<Page>(PRODUCT_PAGE, { id: productGid(plain.id) }));
    expect(data.product!.rating).toEqual({ count: 0, average: null });
    expect(data.product!.reviews.edges).toEqual([]);
  });

  it('an unknown product is null', async () => {
    const data = expectData(await t.gql<Page>(PRODUCT_PAGE, { id: productGid('01NOPE') }));
    expect(data.product).toBeNull();
  });

  it('review authors show their name, never their email, to others', async () => {
    const reviewed = catalog.products[0]!;
    const response = await t.gql(
      'query($id: ID!) { product(id: $id) { reviews(first: 1) { edges { node { author { name email } } } } } }',
      { id: productGid(reviewed.id) },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(response)).not.toContain('@example.com');
  });
});

describe('node(id)', () => {
  const NODE = /* GraphQL */ `
    query NodeLookup($id: ID!) {
      node(id: $id) {
        id
        ... on Product { name priceCents }
        ... on Category { slug }
        ... on Customer { name }
      }
    }`;

  it('resolves products and categories by opaque global id, and null for unknown ids', async () => {
    const product = catalog.products[3]!;
    const p = expectData(
      await t.gql<{ node: { id: string; name: string; priceCents: number } }>(NODE, {
        id: productGid(product.id),
      }),
    );
    expect(p.node).toEqual({
      id: productGid(product.id),
      name: product.name,
      priceCents: product.priceCents,
    });
    const c = expectData(
      await t.gql<{ node: { slug: string } }>(NODE, { id: encodeGlobalID('Category', 'toys') }),
    );
    expect(c.node.slug).toBe('toys');
    const missing = expectData(await t.gql<{ node: null }>(NODE, { id: productGid('01NOPE') }));
    expect(missing.node).toBeNull();
  });

  it('a malformed global id is a clear error', async () => {
    const response = await t.gql(NODE, { id: 'not-a-global-id' });
    expect(response.errors?.length).toBe(1);
    expect(response.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('an id too long to be a DynamoDB key is null, and does not fail the batch it joins', async () => {
    // DynamoDB refuses a key over 1024 bytes, and with it every other key of the BatchGetItem.
    const product = catalog.products[4]!;
    const { result, calls } = await t.wireCalls(() =>
      t.gql<{ a: { name: string } | null; b: null; c: null; d: null }>(
        `query($a: ID!, $b: ID!, $c: ID!, $d: ID!) {
          a: node(id: $a) { ... on Product { name } }
          b: node(id: $b) { id }
          c: node(id: $c) { id }
          d: node(id: $d) { id }
        }`,
        {
          a: productGid(product.id),
          b: productGid('x'.repeat(3_000)),
          c: encodeGlobalID('Customer', 'é'.repeat(1_100)),
          d: encodeGlobalID('Category', 's'.repeat(1_100)),
        },
      ),
    );
    expect(expectData(result)).toEqual({ a: { name: product.name }, b: null, c: null, d: null });
    expect(calls).toEqual({ BatchGetItem: 1 });
  });
});
