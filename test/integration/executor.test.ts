/**
 * The gateway runs queries and mutations on graphql-jit (GRAPHQL_EXECUTOR=jit, the default).
 * graphql-js is the reference: every case here is sent to both, on the same table, and the
 * answers must be the same (status, data, errors with their paths and codes): documents/'
 * queries, expected failures as data, authorization errors, input errors, and the corners of
 * the GraphQL language a code-generating executor could get wrong.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, expectData, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { operation } from '../helpers/graphql.js';

let table: TestTable;
let jit: TestApp;
let reference: TestApp;
let catalog: Catalog;
let owner: string;
let stranger: string;
let admin: string;
let orderId: string;
const productId = (i: number) => encodeGlobalID('Product', catalog.products[i]!.id);

/** What a client can observe of an answer; response-cache and cost extensions differ by app. */
function observable(response: GraphQLResponse<unknown>) {
  return {
    status: response.status,
    data: response.data,
    errors: response.errors?.map((error) => {
      const { requestId: _perRequest, ...extensions } = (error.extensions ?? {}) as Record<
        string,
        unknown
      >;
      return { message: error.message, path: error.path, extensions };
    }),
  };
}

/**
 * Sends the request to both apps; the answers must be equal. `keyOrder: 'same'` (documents/'
 * operations) also holds the response's keys to the same order; graphql-jit may order them
 * differently where fragments and @skip/@include mix, which JSON clients do not see.
 */
async function both(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  keyOrder: 'same' | 'any' = 'same',
): Promise<ReturnType<typeof observable>> {
  const options = token ? { token } : {};
  const [compiled, standard] = await Promise.all([
    jit.gql(query, variables, options),
    reference.gql(query, variables, options),
  ]);
  expect(observable(compiled)).toEqual(observable(standard));
  if (keyOrder === 'same') {
    expect(JSON.stringify(observable(compiled))).toBe(JSON.stringify(observable(standard)));
  }
  return observable(compiled);
}

beforeAll(async () => {
  table = await createTestTable('executor');
  catalog = await loadCatalog(table);
  jit = createTestApp(table, { GRAPHQL_EXECUTOR: 'jit', RESPONSE_CACHE_TTL_SECONDS: '0' });
  reference = createTestApp(table, {
    GRAPHQL_EXECUTOR: 'graphql-js',
    RESPONSE_CACHE_TTL_SECONDS: '0',
  });
  expect(jit.config.executor).toBe('jit');
  expect(reference.config.executor).toBe('graphql-js');
  owner = await jit.token('executor-owner');
  stranger = await jit.token('executor-stranger');
  admin = await jit.token('executor-admin', true);
  for (const [token, name] of [
    [owner, 'Owner'],
    [stranger, 'Stranger'],
  ] as const) {
    expectData(
      await reference.gql(
        operation('CreateProfile'),
        { input: { name, email: `${name.toLowerCase()}@executor.example` } },
        { token },
      ),
    );
  }
  await reference.gql(
    operation('AddToCart'),
    { productId: productId(1), quantity: 2 },
    {
      token: owner,
    },
  );
  const placed = expectData(
    await reference.gql<{ placeOrder: { order: { id: string } } }>(
      operation('PlaceOrder'),
      {
        input: { idempotencyKey: 'executor-1', lines: [{ productId: productId(2), quantity: 1 }] },
      },
      { token: owner },
    ),
  );
  orderId = placed.placeOrder.order.id;
});
afterAll(async () => {
  await table.drop();
});

describe('graphql-jit answers as graphql-js does', () => {
  it('the documents/ queries, public', async () => {
    expect((await both(operation('Categories'))).data).toMatchObject({
      categories: expect.any(Array),
    });
    const first = await both(operation('CategoryPage'), { slug: 'tools', first: 7 });
    const page = (first.data as { category: { products: { pageInfo: { endCursor: string } } } })
      .category.products;
    await both(operation('CategoryPage'), {
      slug: 'tools',
      first: 7,
      after: page.pageInfo.endCursor,
    });
    await both(operation('CategoryPage'), {
      slug: 'tools',
      minPriceCents: 500,
      maxPriceCents: 1_500,
      sort: 'PRICE_DESC',
    });
    const product = await both(operation('ProductPage'), { id: productId(0), reviews: 5 });
    expect(product.data).toMatchObject({ product: { rating: { count: 12 } } });
    await both(operation('Products'), { ids: [productId(0), productId(3), productId(46)] });
    await both(operation('Featured'), { first: 3 });
    await both(operation('NodeLookup'), { id: productId(4) });
    await both(operation('NodeLookup'), { id: encodeGlobalID('Category', 'toys') });
  });

  it('the documents/ queries, for a customer and an admin', async () => {
    const me = await both(operation('Me'), { orders: 5 }, owner);
    expect(me.data).toMatchObject({ me: { orderCount: 1, cart: { items: [{ quantity: 2 }] } } });
    await both(operation('Order'), { id: orderId }, owner);
    await both(operation('NodeLookup'), { id: orderId }, owner);
    await both(operation('OrdersByStatus'), { status: 'PENDING', first: 5 }, admin);
    await both(operation('Customer'), { id: encodeGlobalID('Customer', 'executor-owner') }, admin);
  });

  it('errors: unauthenticated, forbidden, someone else’s order, a missing product', async () => {
    const anonymous = await both(operation('Me'));
    expect(anonymous.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const forbidden = await both(
      operation('Customer'),
      { id: encodeGlobalID('Customer', 'executor-owner') },
      owner,
    );
    expect(forbidden.errors?.length).toBeGreaterThan(0);
    await both(operation('Order'), { id: orderId }, stranger);
    await both(operation('NodeLookup'), { id: orderId }, stranger);
    const missing = await both(operation('ProductPage'), {
      id: encodeGlobalID('Product', '01J00000000000000000000000'),
    });
    expect(missing.data).toEqual({ product: null });
    const badCursor = await both(operation('Featured'), { first: 2, after: 'v1.forged.cursor' });
    expect(badCursor.errors?.[0]?.extensions.code).toBe('BAD_CURSOR');
  });

  it('input errors: variables that do not coerce, and validation rules on arguments', async () => {
    const notAnInt = await both(operation('Featured'), { first: 'ten' });
    expect(notAnInt.status).toBe(400);
    await both(operation('Featured'), { first: 2 ** 53 });
    await both(operation('Products'), { ids: null });
    const tooMany = await both(operation('Featured'), { first: 1_000 });
    expect(tooMany.errors?.length).toBeGreaterThan(0);
  });

  it('expected failures of mutations are the same data, and write nothing', async () => {
    const unknown = await both(
      operation('AddToCart'),
      { productId: encodeGlobalID('Product', '01J00000000000000000000000'), quantity: 1 },
      stranger,
    );
    expect(unknown.data).toMatchObject({ addToCart: { __typename: 'NotFoundError' } });
    const tooMany = await both(
      operation('AddToCart'),
      { productId: productId(1), quantity: 100 },
      stranger,
    );
    expect(tooMany.data).toMatchObject({ addToCart: { __typename: 'ValidationError' } });
    const soldOut = await both(
      operation('PlaceOrder'),
      // Product 0 has no stock (every 7th product of the fixture).
      {
        input: { idempotencyKey: 'executor-2', lines: [{ productId: productId(0), quantity: 1 }] },
      },
      stranger,
    );
    expect(soldOut.data).toMatchObject({ placeOrder: { __typename: 'OutOfStockError' } });
    const me = expectData(
      await jit.gql<{ me: { orderCount: number; cart: { items: unknown[] } } }>(
        operation('Me'),
        {},
        { token: stranger },
      ),
    );
    expect(me.me).toMatchObject({ orderCount: 0, cart: { items: [] } });
  });

  it('the language: aliases named like Object.prototype members, fragments, directives, __typename', async () => {
    const aliased = await both(
      '{ __proto__: categories { slug } constructor: categories { hasOwnProperty: slug toString: name } __typename t: __typename }',
      {},
      undefined,
      'any',
    );
    expect(Object.keys(aliased.data as object).sort()).toEqual([
      '__proto__',
      '__typename',
      'constructor',
      't',
    ]);
    expect(Object.getPrototypeOf(aliased.data)).toBe(Object.prototype);
    await both(
      `query($yes: Boolean!, $no: Boolean!, $id: ID!) {
        product(id: $id) {
          ...Names
          stock @include(if: $no)
          priceCents @skip(if: $no)
          category @include(if: $yes) { ... on Category { slug } }
        }
      }
      fragment Names on Product { id name __typename }`,
      { yes: true, no: false, id: productId(5) },
      undefined,
      'any',
    );
    await both(
      'query($id: ID!) { node(id: $id) { __typename ... on Node { id } ... on Product { name } } }',
      { id: productId(6) },
      undefined,
      'any',
    );
  });
});

/** A counter of the app's GET /metrics; undefined when the app does not have it. */
async function metric(app: TestApp, name: string): Promise<number | undefined> {
  const response = await app.app.fetch('http://yoga/metrics');
  expect(response.status).toBe(200);
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(await response.text());
  return match ? Number(match[1]) : undefined;
}

describe('compiled queries are what ran', () => {
  it('the jit app answered queries and mutations with compiled code; the reference app has no such counter', async () => {
    // Every test above sent the same requests to both apps: on jit, compiled code answered.
    const before = await metric(jit, 'graphql_jit_executions_total');
    expect(before).toBeGreaterThan(0);
    expectData(await jit.gql(operation('Featured'), { first: 2 }));
    expect(await metric(jit, 'graphql_jit_executions_total')).toBe((before ?? 0) + 1);
    expectData(await reference.gql(operation('Featured'), { first: 2 }));
    expect(await metric(reference, 'graphql_jit_executions_total')).toBeUndefined();
    expect(await metric(reference, 'graphql_jit_compilations_total')).toBeUndefined();
  });
});

describe('compiled once per document', () => {
  /** graphql_jit_compilations_total on the app's /metrics. */
  async function compilations(app: TestApp): Promise<number> {
    const count = await metric(app, 'graphql_jit_compilations_total');
    if (count === undefined) throw new Error('no graphql_jit_compilations_total on /metrics');
    return count;
  }

  it('a query or a mutation sent again, with other variables, is not compiled again', async () => {
    const customer = await jit.token('executor-compiles');
    expectData(
      await jit.gql(
        operation('CreateProfile'),
        { input: { name: 'Compiles', email: 'compiles@executor.example' } },
        { token: customer },
      ),
    );
    const addToCart = (quantity: number) =>
      jit.gql(operation('AddToCart'), { productId: productId(8), quantity }, { token: customer });
    const placeOrder = (key: string) =>
      jit.gql(
        operation('PlaceOrder'),
        { input: { idempotencyKey: key, lines: [{ productId: productId(9), quantity: 1 }] } },
        { token: customer },
      );
    // Each document once, so that all three are compiled before the count is read.
    expectData(await jit.gql(operation('Featured'), { first: 2 }));
    expectData(await addToCart(1));
    expectData(await placeOrder('executor-compiles-1'));
    const before = await compilations(jit);
    expect(before).toBeGreaterThanOrEqual(3);

    // Mutations go through the rate limiter, which rewrites the document it is given; each is
    // still the document compiled before.
    for (const quantity of [2, 3, 4]) expectData(await addToCart(quantity));
    for (const key of ['executor-compiles-2', 'executor-compiles-3']) {
      expect(expectData(await placeOrder(key))).toMatchObject({
        placeOrder: { __typename: 'PlaceOrderSuccess' },
      });
    }
    expectData(await jit.gql(operation('Featured'), { first: 3 }));
    expect(await compilations(jit)).toBe(before);

    // A document not seen before is compiled, once.
    const other = '{ categories { slug } }';
    expectData(await jit.gql(other));
    expectData(await jit.gql(other));
    expect(await compilations(jit)).toBe(before + 1);
  });
});
