import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { cartLineKey } from '../../src/models/cart-line.js';
import { customerItem } from '../../src/models/customer.js';
import { productKey } from '../../src/models/product.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';
import { type HttpReply, postGraphQL, send } from '../helpers/graphql.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * The hardening of the HTTP edge (graphql-armor limits, production mode, body limits, CORS,
 * the mutation rate limit, GraphQL over HTTP), against real servers on 127.0.0.1. Every refusal
 * that the edge can make is checked to cost no DynamoDB call (the table's wire counter).
 */

let table: TestTable;
let catalog: Catalog;
/** Test mode: default limits, GraphiQL, any origin. */
let dev: HttpTestServer;
/** QUERY_MAX_DEPTH=3. */
let shallow: HttpTestServer;
/** NODE_ENV=production with both secrets, one CORS origin, 3 calls of a mutation a minute. */
let prod: HttpTestServer;

const ALLOWED_ORIGIN = 'https://shop.example';

beforeAll(async () => {
  table = await createTestTable('hardening');
  catalog = await loadCatalog(table);
  await putItems(table, [customerItem(aCustomer('rate-a')), customerItem(aCustomer('rate-b'))]);
  dev = await startHttpServer(table);
  shallow = await startHttpServer(table, { QUERY_MAX_DEPTH: '3' });
  prod = await startHttpServer(table, {
    NODE_ENV: 'production',
    CORS_ORIGINS: ALLOWED_ORIGIN,
    RATE_LIMIT_MUTATIONS: '3',
    RATE_LIMIT_WINDOW: '1m',
  });
  expect(prod.config.isProduction).toBe(true);
});

afterAll(async () => {
  await Promise.all([dev?.close(), shallow?.close(), prod?.close()]);
  await table?.drop();
});

const firstError = (reply: HttpReply) => reply.json?.errors?.[0];

/** Nested `category { products { edges { node { ... } } } }`: 4 levels a step. */
function deepQuery(steps: number): string {
  const open = 'category { products(first: 1) { edges { node { '.repeat(steps);
  const close = '} } } } '.repeat(steps);
  return `{ featuredProducts(first: 1) { edges { node { ${open} id ${close} } } } }`;
}

const BOMBS: Array<{ limit: string; query: string; devMessage: RegExp; prodMessage: string }> = [
  {
    limit: 'depth',
    query: deepQuery(3),
    devMessage: /^Query depth limit of 12 exceeded, found 16\.$/,
    prodMessage: 'Query depth limit exceeded.',
  },
  {
    limit: 'aliases',
    query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: categories { id }`).join(' ')} }`,
    devMessage: /^Aliases limit of 15 exceeded, found 16\.$/,
    prodMessage: 'Aliases limit exceeded.',
  },
  {
    limit: 'tokens',
    query: `{ categories { ${'id '.repeat(1_000)} } }`,
    devMessage: /^Token limit of 1000 exceeded\.$/,
    prodMessage: 'Token limit exceeded.',
  },
  {
    limit: 'directives',
    query: `{ categories { id ${'@include(if: true) '.repeat(11)} } }`,
    devMessage: /^Directives limit of 10 exceeded, found 11\.$/,
    prodMessage: 'Directives limit exceeded.',
  },
  {
    limit: 'cost',
    query:
      '{ featuredProducts(first: 100) { edges { node { reviews(first: 50) { edges { node { author { name } } } } } } } }',
    devMessage: /^Query cost limit of 5000 exceeded, found [\d.]+\.$/i,
    prodMessage: 'Query cost limit exceeded.',
  },
];

describe('graphql-armor limits (item 1)', () => {
  it.each(BOMBS)(
    'the $limit limit refuses the operation before any DynamoDB call',
    async (bomb) => {
      const { result, total } = await dev.wireCalls(() =>
        postGraphQL(dev.url, { query: bomb.query }),
      );
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(firstError(result)?.message).toMatch(bomb.devMessage);
      expect(firstError(result)?.extensions).toEqual({
        code: 'QUERY_LIMIT_EXCEEDED',
        limit: bomb.limit,
      });
      expect(result.json).not.toHaveProperty('data');
      expect(total).toBe(0);
    },
  );

  it('limits are configurable: QUERY_MAX_DEPTH=3 refuses what the default allows', async () => {
    const query = deepQuery(1); // depth 8
    const allowed = await dev.wireCalls(() => postGraphQL(dev.url, { query }));
    expect(allowed.result.status).toBe(200);
    expect(allowed.result.json?.errors).toBeUndefined();
    expect(allowed.result.json?.data?.featuredProducts).toBeDefined();

    const refused = await shallow.wireCalls(() => postGraphQL(shallow.url, { query }));
    expect(refused.result.status).toBe(400);
    expect(firstError(refused.result)?.message).toBe('Query depth limit of 3 exceeded, found 8.');
    expect(firstError(refused.result)?.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(refused.total).toBe(0);
  });

  it('products(ids:) over 100 ids and `first` over its maximum are refused with no DynamoDB call', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => encodeGlobalID('Product', `p-${i}`));
    const cases: Array<[string, Record<string, unknown>, RegExp, string]> = [
      [
        'query($ids: [ID!]!) { products(ids: $ids) { id } }',
        { ids },
        /at most 100 ids/,
        'BAD_USER_INPUT',
      ],
      [
        'query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }',
        { n: 101 },
        /first/,
        'BAD_USER_INPUT',
      ],
      [
        'query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }',
        { n: 1_000 },
        /first/,
        'BAD_USER_INPUT',
      ],
      // A literal `first` is priced by the cost limit, which refuses it at validation.
      [
        '{ featuredProducts(first: 1000) { edges { node { id } } } }',
        {},
        /cost limit/i,
        'QUERY_LIMIT_EXCEEDED',
      ],
    ];
    for (const [query, variables, message, code] of cases) {
      const { result, total } = await dev.wireCalls(() =>
        postGraphQL(dev.url, { query, variables }),
      );
      expect(firstError(result)?.message, query).toMatch(message);
      expect(firstError(result)?.extensions?.code, query).toBe(code);
      expect(result.json?.data ?? null).toBeNull();
      expect(total, query).toBe(0);
    }
  });
});

describe('request size and shape (item 1)', () => {
  it('a body over MAX_BODY_BYTES is 413, before it is read', async () => {
    const query = `{ categories { id } } # ${'x'.repeat(dev.config.maxBodyBytes)}`;
    const { result, total } = await dev.wireCalls(() => postGraphQL(dev.url, { query }));
    expect(result.status).toBe(413);
    expect(firstError(result)).toEqual({
      message: `The request body is larger than ${dev.config.maxBodyBytes} bytes`,
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(total).toBe(0);
  });

  it('a POST without Content-Length (a chunked body) is 411', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ categories { id } }"}'));
        controller.close();
      },
    });
    const { result, total } = await dev.wireCalls(() =>
      send(dev.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(result.status).toBe(411);
    expect(firstError(result)?.extensions?.code).toBe('LENGTH_REQUIRED');
    expect(total).toBe(0);
  });

  it('HTTP batching (a JSON array body) is refused', async () => {
    const { result, total } = await dev.wireCalls(() =>
      postGraphQL(dev.url, [
        { query: '{ categories { id } }' },
        { query: '{ categories { id } }' },
      ]),
    );
    expect(result.status).toBe(400);
    expect(firstError(result)?.message).toBe('Batching is not supported.');
    expect(firstError(result)?.extensions?.code).toBe('BAD_REQUEST');
    expect(total).toBe(0);
  });
});

describe('production mode (item 2)', () => {
  it.each(BOMBS)('a refusal by the $limit limit names the limit, not its value', async (bomb) => {
    const { result, total } = await prod.wireCalls(() =>
      postGraphQL(prod.url, { query: bomb.query }),
    );
    expect(result.status).toBe(400);
    expect(firstError(result)?.message).toBe(bomb.prodMessage);
    expect(firstError(result)?.extensions).toEqual({
      code: 'QUERY_LIMIT_EXCEEDED',
      limit: bomb.limit,
    });
    expect(result.text).not.toMatch(/\d/);
    expect(total).toBe(0);
  });

  it('refuses introspection (__schema and __type); test mode allows it', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }']) {
      const { result, total } = await prod.wireCalls(() => postGraphQL(prod.url, { query }));
      expect(result.status).toBe(400);
      expect(firstError(result)?.message).toMatch(/introspection has been disabled/);
      expect(firstError(result)?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.json).not.toHaveProperty('data');
      expect(result.text).not.toContain('"Query"');
      expect(total).toBe(0);
      const open = await postGraphQL(dev.url, { query });
      expect(open.json?.data).toBeTruthy();
    }
    // __typename is not introspection of the schema: it still answers.
    const typename = await postGraphQL(prod.url, { query: '{ __typename }' });
    expect(typename.json?.data).toEqual({ __typename: 'Query' });
  });

  it('gives no field suggestions', async () => {
    const query = '{ categorie { id } }';
    const inProd = await postGraphQL(prod.url, { query });
    expect(inProd.status).toBe(400);
    expect(firstError(inProd)?.message).toMatch(/^Cannot query field "categorie" on type "Query"/);
    expect(inProd.text).not.toMatch(/Did you mean/);
    expect(inProd.text).not.toMatch(/"categories"|\\"categories\\"/);
    const inTest = await postGraphQL(dev.url, { query });
    expect(firstError(inTest)?.message).toMatch(/Did you mean "categories"/);
  });

  it('does not serve GraphiQL', async () => {
    const page = await send(prod.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(406);
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    expect(page.text).not.toMatch(/graphiql/i);
    expect(firstError(page)?.extensions?.code).toBe('NOT_ACCEPTABLE');
    const inTest = await send(dev.url, { headers: { accept: 'text/html' } });
    expect(inTest.status).toBe(200);
    expect(inTest.headers.get('content-type')).toMatch(/^text\/html/);
    expect(inTest.text).toMatch(/graphiql/i);
  });

  it('masks an unexpected error: a code and a request id for the client, the cause in the log', async () => {
    // A corrupt item, written behind the gateway's back: its entity and fields are wrong.
    const productId = 'corrupt-product-1';
    await table.dynamo.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...productKey(productId), entity: 'Customer', name: 42, priceCents: 'free' },
      }),
    );
    const reply = await postGraphQL(prod.url, {
      query: 'query($id: ID!) { product(id: $id) { id name priceCents } }',
      variables: { id: encodeGlobalID('Product', productId) },
    });
    expect(reply.status).toBe(200);
    expect(reply.json?.data).toEqual({ product: null });
    const error = firstError(reply);
    expect(error?.message).toBe('Unexpected error');
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = error?.extensions?.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers.get('x-request-id')).toBe(requestId);
    // Nothing of the cause reaches the client.
    expect(reply.text).not.toMatch(/corrupt|entity|Customer|stack|originalError/i);

    const logged = prod.logs
      .mentioning(requestId as string)
      .filter((line) => (line.level as number) >= 50);
    expect(logged).toHaveLength(1);
    const cause = logged[0]?.err as { message?: string; stack?: string } | undefined;
    expect(cause?.message).toMatch(/corrupt-product-1.*entity/);
    expect(cause?.stack).toBeTruthy();
    // And the access log line of the same request carries the same id.
    const access = prod.logs
      .mentioning(requestId as string)
      .filter((line) => line.msg === 'request');
    expect(access).toEqual([
      expect.objectContaining({ requestId, method: 'POST', path: '/graphql', status: 200 }),
    ]);
    expect(typeof access[0]?.ms).toBe('number');
  });
});

describe('CORS (item 4)', () => {
  it('an allowed origin gets access-control-allow-origin; another origin gets no CORS headers', async () => {
    const allowed = await postGraphQL(
      prod.url,
      { query: '{ categories { slug } }' },
      { origin: ALLOWED_ORIGIN },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);

    for (const origin of ['https://evil.example', 'null', 'https://shop.example.evil.example']) {
      const other = await postGraphQL(prod.url, { query: '{ categories { slug } }' }, { origin });
      expect(other.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(other.headers.get('access-control-allow-methods'), origin).toBeNull();
    }
  });

  it('answers a preflight for an allowed origin, and gives another origin nothing to go on', async () => {
    const preflight = (origin: string) =>
      send(prod.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const ok = await preflight(ALLOWED_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    expect(ok.headers.get('access-control-max-age')).toBe('600');

    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-headers')).toBeNull();
  });
});

describe('mutation rate limit (item 4)', () => {
  const ADD = /* GraphQL */ `
    mutation AddToCart($productId: ID!, $quantity: Int!) {
      addToCart(productId: $productId, quantity: $quantity) {
        __typename
        ... on AddToCartSuccess { cart { items { quantity } } }
        ... on Error { message }
      }
    }`;

  async function cartQuantity(customerId: string, productId: string): Promise<number> {
    const out = await table.dynamo.doc.send(
      new GetCommand({
        TableName: table.tableName,
        Key: cartLineKey(customerId, productId),
        ConsistentRead: true,
      }),
    );
    return (out.Item?.quantity as number | undefined) ?? 0;
  }

  it("refuses a viewer's 4th call in the window with RATE_LIMITED, writing nothing; another viewer is unaffected", async () => {
    const product = catalog.products[1]!;
    const variables = { productId: encodeGlobalID('Product', product.id), quantity: 1 };
    const a = await signDevToken(TEST_JWT_SECRET, { sub: 'rate-a' });
    const b = await signDevToken(TEST_JWT_SECRET, { sub: 'rate-b' });
    for (let call = 1; call <= 3; call++) {
      const reply = await postGraphQL(
        prod.url,
        { query: ADD, variables },
        {
          authorization: `Bearer ${a}`,
        },
      );
      expect(reply.json?.data?.addToCart, `call ${call}`).toMatchObject({
        __typename: 'AddToCartSuccess',
      });
    }
    expect(await cartQuantity('rate-a', product.id)).toBe(3);

    const { result, total } = await prod.wireCalls(() =>
      postGraphQL(prod.url, { query: ADD, variables }, { authorization: `Bearer ${a}` }),
    );
    expect(result.status).toBe(429);
    expect(result.headers.get('retry-after')).toBe('60');
    expect(firstError(result)?.message).toBe(
      'Too many requests: at most 3 addToCart calls per 1m; try again later',
    );
    expect(firstError(result)?.extensions?.code).toBe('RATE_LIMITED');
    expect(result.json?.data ?? null).toBeNull();
    expect(total).toBe(0);
    expect(await cartQuantity('rate-a', product.id)).toBe(3);

    const other = await postGraphQL(
      prod.url,
      { query: ADD, variables },
      {
        authorization: `Bearer ${b}`,
      },
    );
    expect(other.status).toBe(200);
    expect(other.json?.data?.addToCart).toMatchObject({ __typename: 'AddToCartSuccess' });
    expect(await cartQuantity('rate-b', product.id)).toBe(1);
  });
});

describe('GraphQL over HTTP (item 6)', () => {
  const QUERY = '{ categories { slug } }';

  it('answers application/graphql-response+json with that content type', async () => {
    const reply = await postGraphQL(dev.url, { query: QUERY });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(reply.json?.data?.categories).toEqual([{ slug: 'tools' }, { slug: 'toys' }]);
  });

  it('a validation error is 400 under application/graphql-response+json, 200 under application/json', async () => {
    const strict = await postGraphQL(dev.url, { query: '{ nope }' });
    expect(strict.status).toBe(400);
    expect(strict.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(firstError(strict)?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(strict.json).not.toHaveProperty('data');

    const legacy = await postGraphQL(
      dev.url,
      { query: '{ nope }' },
      { accept: 'application/json' },
    );
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(firstError(legacy)?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a variable that does not fit its type is a request error: 400, BAD_USER_INPUT, no data', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['query($id: ID!) { product(id: $id) { id } }', {}],
      ['query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }', { n: 'ten' }],
      ['query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }', { n: 2 ** 40 }],
    ];
    for (const [query, variables] of cases) {
      const { result, total } = await dev.wireCalls(() =>
        postGraphQL(dev.url, { query, variables }),
      );
      expect(result.status, JSON.stringify(variables)).toBe(400);
      expect(result.json).not.toHaveProperty('data');
      expect(firstError(result)?.message).toMatch(/^Variable "\$(id|n)"/);
      expect(firstError(result)?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(total).toBe(0);
    }
  });

  it('GET answers a query; a mutation over GET is 405 and does not run', async () => {
    const get = await send(`${dev.url}?query=${encodeURIComponent(QUERY)}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(get.status).toBe(200);
    expect(get.json?.data?.categories).toEqual([{ slug: 'tools' }, { slug: 'toys' }]);

    const mutation =
      'mutation { createCategory(input: { slug: "via-get", name: "x" }) { __typename } }';
    const { result, total } = await dev.wireCalls(() =>
      send(`${dev.url}?query=${encodeURIComponent(mutation)}`, {
        headers: { accept: 'application/graphql-response+json' },
      }),
    );
    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toMatch(/POST/);
    expect(firstError(result)?.message).toMatch(/mutation operation from a POST request/);
    expect(total).toBe(0);
  });

  it('malformed JSON and a missing query are 400, without parser internals', async () => {
    const malformed = await postGraphQL(dev.url, '{"query": "{ categories { id } }"');
    expect(malformed.status).toBe(400);
    expect(malformed.json?.errors).toEqual([
      { message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } },
    ]);
    const missing = await postGraphQL(dev.url, { variables: {} });
    expect(missing.status).toBe(400);
    expect(missing.json?.errors).toEqual([
      { message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } },
    ]);
    for (const reply of [malformed, missing]) {
      expect(reply.text).not.toMatch(/originalError|SyntaxError|stack/);
    }
  });

  it('an unsupported content type is 415 with a JSON error', async () => {
    for (const contentType of ['text/plain', 'application/xml']) {
      const { result, total } = await dev.wireCalls(() =>
        send(dev.url, {
          method: 'POST',
          headers: { 'content-type': contentType, accept: 'application/json' },
          body: QUERY,
        }),
      );
      expect(result.status, contentType).toBe(415);
      expect(firstError(result)?.extensions?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(total).toBe(0);
    }
  });

  it('a POST that accepts no GraphQL response is 406 and does not run', async () => {
    const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'admin-406', admin: true });
    const query =
      'mutation { createCategory(input: { slug: "not-acceptable", name: "x" }) { __typename } }';
    const { result, total } = await dev.wireCalls(() =>
      postGraphQL(dev.url, { query }, { accept: 'text/html', authorization: `Bearer ${admin}` }),
    );
    expect(result.status).toBe(406);
    expect(firstError(result)?.extensions?.code).toBe('NOT_ACCEPTABLE');
    expect(total).toBe(0);
    const categories = await postGraphQL(dev.url, { query: QUERY });
    expect(JSON.stringify(categories.json?.data)).not.toContain('not-acceptable');
  });
});
