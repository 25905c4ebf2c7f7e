import { mkdirSync, writeFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { categoryKey } from '../../src/models/category.js';
import { customerItem, customerKey } from '../../src/models/customer.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';
import { dataOf, type HttpReply, postGraphQL, send } from '../helpers/graphql.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * The abuse suite (item 7): what an attacker can send to a real HTTP server, and what it costs.
 * Every case asserts the answer (status, code, message) and the DynamoDB calls counted at the
 * wire around the request (zero wherever the edge can refuse). The table of results goes to
 * test-results/abuse.md and to the test output.
 */

const ISSUER = 'https://auth.shop.example/';
const AUDIENCE = 'shop-gateway';
const KEY = new TextEncoder().encode(TEST_JWT_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);

let table: TestTable;
let server: HttpTestServer;
let catalog: Catalog;
let alice: string;
let bob: string;
let admin: string;
/** Alice's orders' global ids, newest last. */
const aliceOrders: string[] = [];
/** Alice's `me.orders(first: 1)` endCursor. */
let aliceOrdersCursor: string;

const token = (sub: string, isAdmin = false) =>
  signDevToken(TEST_JWT_SECRET, { sub, admin: isAdmin, issuer: ISSUER, audience: AUDIENCE });
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) { __typename ... on PlaceOrderSuccess { order { id } } ... on Error { message } }
  }`;
const MY_ORDERS = /* GraphQL */ `
  query MyOrders($after: String) {
    me { orders(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }
  }`;
const FEATURED = /* GraphQL */ `
  query Featured($first: Int, $after: String) {
    featuredProducts(first: $first, after: $after) { edges { node { id } } pageInfo { endCursor } }
  }`;
const CATEGORY_PAGE = /* GraphQL */ `
  query CategoryPage($slug: String!, $after: String) {
    category(slug: $slug) { products(first: 2, after: $after) { edges { node { id } } pageInfo { endCursor } } }
  }`;
const NODE =
  'query NodeLookup($id: ID!) { node(id: $id) { id ... on Order { status totalCents } ... on Customer { name } } }';
const CALLS_DYNAMO = '{ categories { slug } me { name } }';

beforeAll(async () => {
  table = await createTestTable('abuse');
  catalog = await loadCatalog(table);
  await putItems(table, [customerItem(aCustomer('alice')), customerItem(aCustomer('bob'))]);
  server = await startHttpServer(table, { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  [alice, bob, admin] = await Promise.all([token('alice'), token('bob'), token('root', true)]);
  for (const [i, product] of catalog.products.slice(1, 4).entries()) {
    const reply = await postGraphQL(
      server.url,
      {
        query: PLACE_ORDER,
        variables: {
          input: {
            idempotencyKey: `abuse-order-${i}`,
            lines: [{ productId: encodeGlobalID('Product', product.id), quantity: 1 }],
          },
        },
      },
      bearer(alice),
    );
    const placed = reply.json?.data?.placeOrder as { order?: { id: string } } | undefined;
    if (!placed?.order) throw new Error(`setup: placeOrder failed: ${reply.text}`);
    aliceOrders.push(placed.order.id);
  }
  const page = await postGraphQL(server.url, { query: MY_ORDERS }, bearer(alice));
  aliceOrdersCursor = (
    page.json?.data?.me as { orders: { pageInfo: { endCursor: string } } } | undefined
  )?.orders.pageInfo.endCursor as string;
  expect(aliceOrdersCursor).toMatch(/^v1\./);
});

// ------------------------------------------------------------------------------ the table

interface Row {
  group: string;
  name: string;
  status: number;
  answer: string;
  calls: number;
  detail: Record<string, number>;
}
const rows: Row[] = [];

function shorten(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function summarize(reply: HttpReply): string {
  const errors = reply.json?.errors;
  if (errors?.length) {
    const [first] = errors;
    const code = (first?.extensions?.code as string | undefined) ?? '(no code)';
    const more = errors.length > 1 ? ` (+${errors.length - 1})` : '';
    const data = reply.json?.data ? `; data ${JSON.stringify(reply.json.data)}` : '';
    return `${code}: ${first?.message ?? ''}${more}${data}`;
  }
  if (reply.json?.data !== undefined) return `data ${JSON.stringify(reply.json.data)}`;
  return reply.text === '' ? '(empty body)' : reply.text;
}

function writeTable(): string {
  const lines = [
    '# Abuse suite',
    '',
    `Generated by test/integration/abuse.test.ts on ${new Date().toISOString()}: real HTTP`,
    'requests to the gateway on 127.0.0.1, DynamoDB calls counted at the wire for each one.',
    '',
    '| Case | HTTP status | Answer (code: message, shortened) | DynamoDB calls |',
    '|---|---|---|---|',
  ];
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      lines.push(`| **${group}** | | | |`);
    }
    const detail = Object.entries(row.detail)
      .map(([command, n]) => `${command} ${n}`)
      .join(', ');
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    lines.push(
      `| ${cell(row.name)} | ${row.status} | ${cell(shorten(row.answer))} | ${row.calls}${detail ? ` (${detail})` : ''} |`,
    );
  }
  const refusedAtEdge = rows.filter((row) => row.calls === 0).length;
  lines.push('', `${rows.length} cases; ${refusedAtEdge} answered with zero DynamoDB calls.`, '');
  return lines.join('\n');
}

afterAll(async () => {
  if (rows.length > 0) {
    const markdown = writeTable();
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/abuse.md', markdown);
    console.log(markdown);
  }
  await server?.close();
  await table?.drop();
});

// ------------------------------------------------------------------------------ checking

interface Expected {
  status: number;
  code?: string;
  message?: string | RegExp;
  /** DynamoDB calls at the wire; 0 where the edge refuses. */
  calls?: number;
  /** The whole `data`, when the answer has some. */
  data?: unknown;
}

let group = '';

/** Sends one request, records its row, and checks it against what is expected. */
async function abuse(
  name: string,
  request: () => Promise<HttpReply>,
  expected: Expected,
): Promise<HttpReply> {
  const { result, calls, total } = await server.wireCalls(request);
  rows.push({
    group,
    name,
    status: result.status,
    answer: summarize(result),
    calls: total,
    detail: calls,
  });
  expect(result.status, name).toBe(expected.status);
  expect(result.json, `${name}: a JSON body`).toBeDefined();
  if (expected.code !== undefined) {
    expect(result.json?.errors?.[0]?.extensions?.code, name).toBe(expected.code);
  }
  if (expected.message !== undefined) {
    const message = result.json?.errors?.[0]?.message;
    if (typeof expected.message === 'string') expect(message, name).toBe(expected.message);
    else expect(message, name).toMatch(expected.message);
  }
  if (expected.data !== undefined) expect(result.json?.data, name).toEqual(expected.data);
  if (expected.calls !== undefined) expect(total, `${name}: DynamoDB calls`).toBe(expected.calls);
  // Never internals, whatever the case.
  expect(result.text, name).not.toMatch(/originalError|stacktrace|\bat \S+ \(|node_modules/);
  return result;
}

const gql =
  (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => () =>
    postGraphQL(server.url, { query, variables }, headers);

// ------------------------------------------------------------------------------ cases

describe('bad tokens (item 5): HTTP 401, UNAUTHENTICATED, never data, no DynamoDB call', () => {
  const claims = () =>
    new SignJWT({ roles: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('alice')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt();

  const cases: Array<[string, () => Promise<string>, string | RegExp]> = [
    [
      'expired',
      () =>
        claims()
          .setIssuedAt(nowS() - 7_200)
          .setExpirationTime(nowS() - 3_600)
          .sign(KEY),
      'Token expired',
    ],
    [
      'not yet valid (nbf in an hour)',
      () =>
        claims()
          .setNotBefore(nowS() + 3_600)
          .setExpirationTime('2h')
          .sign(KEY),
      'Token not yet valid',
    ],
    [
      'wrong signature (another secret)',
      () =>
        claims()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('another-secret-0123456789-0123456789-xyz')),
      'Invalid token: signature verification failed',
    ],
    [
      'forged payload (sub changed, signature kept)',
      async () => {
        const [header, , signature] = (await claims().setExpirationTime('1h').sign(KEY)).split('.');
        const payload = {
          sub: 'root',
          roles: ['admin'],
          iss: ISSUER,
          aud: AUDIENCE,
          exp: nowS() + 3_600,
        };
        return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      },
      'Invalid token: signature verification failed',
    ],
    [
      'alg: none',
      async () =>
        new UnsecuredJWT({ sub: 'root', roles: ['admin'] })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('1h')
          .encode(),
      'Invalid token: algorithm not allowed',
    ],
    [
      'HS512 with the right secret',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('alice')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('1h')
          .sign(KEY),
      'Invalid token: algorithm not allowed',
    ],
    [
      'RS256 (algorithm confusion)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({})
          .setProtectedHeader({ alg: 'RS256' })
          .setSubject('alice')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('1h')
          .sign(privateKey);
      },
      'Invalid token: algorithm not allowed',
    ],
    [
      'wrong issuer',
      () => claims().setIssuer('https://evil.example/').setExpirationTime('1h').sign(KEY),
      'Invalid token: wrong issuer',
    ],
    [
      'wrong audience',
      () => claims().setAudience('another-api').setExpirationTime('1h').sign(KEY),
      'Invalid token: wrong audience',
    ],
    [
      'no issuer or audience',
      () => signDevToken(TEST_JWT_SECRET, { sub: 'alice' }),
      /^Invalid token: wrong (issuer|audience)$/,
    ],
    [
      'no sub',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('1h')
          .sign(KEY),
      /^Invalid token: .*sub/,
    ],
    [
      'no exp',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(KEY),
      /^Invalid token: .*exp/,
    ],
    [
      'malformed (three parts, not base64 JSON)',
      async () => 'not.a.jwt',
      'Invalid token: malformed',
    ],
    ['malformed (one part)', async () => 'abcdef', 'Invalid token: malformed'],
    ['too long (9000 characters)', async () => 'a'.repeat(9_000), 'Invalid token: too long'],
  ];

  it.each(cases)('%s', async (name, make, message) => {
    group = 'Bad tokens (item 5)';
    const reply = await abuse(`token: ${name}`, gql(CALLS_DYNAMO, {}, bearer(await make())), {
      status: 401,
      code: 'UNAUTHENTICATED',
      message,
      calls: 0,
    });
    expect(reply.json).not.toHaveProperty('data');
  });

  it.each([
    ['Basic scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['Bearer without a token', 'Bearer'],
    ['Bearer with characters no token has', 'Bearer abc$%^&*'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
  ])('wrong scheme or header: %s', async (name, header) => {
    group = 'Bad tokens (item 5)';
    const reply = await abuse(`header: ${name}`, gql(CALLS_DYNAMO, {}, { authorization: header }), {
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Invalid Authorization header: expected `Bearer <token>`',
      calls: 0,
    });
    expect(reply.json).not.toHaveProperty('data');
  });

  it('a mutation with an expired admin token writes nothing', async () => {
    group = 'Bad tokens (item 5)';
    const expired = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('root')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(nowS() - 60)
      .sign(KEY);
    await abuse(
      'token: expired admin token on createCategory',
      gql(
        'mutation { createCategory(input: { slug: "expired-admin", name: "Nope" }) { __typename } }',
        {},
        bearer(expired),
      ),
      { status: 401, code: 'UNAUTHENTICATED', message: 'Token expired', calls: 0 },
    );
    const stored = await table.dynamo.doc.send(
      new GetCommand({ TableName: table.tableName, Key: categoryKey('expired-admin') }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('the same request with a good token is answered (the cases above fail on the token alone)', async () => {
    group = 'Bad tokens (item 5)';
    await abuse('control: a valid token', gql(CALLS_DYNAMO, {}, bearer(alice)), {
      status: 200,
      data: { categories: [{ slug: 'tools' }, { slug: 'toys' }], me: { name: 'Customer alice' } },
    });
  });
});

describe('cursors: tampered, foreign, replayed', () => {
  async function featuredCursor(): Promise<string> {
    const reply = await postGraphQL(server.url, { query: FEATURED, variables: { first: 2 } });
    return dataOf<{ featuredProducts: { pageInfo: { endCursor: string } } }>(reply).featuredProducts
      .pageInfo.endCursor;
  }

  it('a tampered cursor is refused before any DynamoDB call', async () => {
    group = 'Cursors';
    const cursor = await featuredCursor();
    const [version, body, mac] = cursor.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = `${version}.${Buffer.from(JSON.stringify({ ...payload, ...customerKey('alice') })).toString('base64url')}.${mac}`;
    const cases: Array<[string, string]> = [
      ['start key changed, MAC kept', forged],
      ['truncated', cursor.slice(0, -4)],
      ['MAC of another cursor', `${version}.${body}.${'A'.repeat(mac.length)}`],
      ['not a cursor', 'garbage'],
      ['empty', ''],
      ['5000 characters', `v1.${'A'.repeat(5_000)}.x`],
    ];
    for (const [name, after] of cases) {
      await abuse(`tampered cursor: ${name}`, gql(FEATURED, { first: 2, after }), {
        status: 200,
        code: 'BAD_CURSOR',
        message: /^Invalid cursor/,
        calls: 0,
      });
    }
  });

  it('a cursor of another field or other arguments is refused', async () => {
    group = 'Cursors';
    const categoryPage = await postGraphQL(server.url, {
      query: CATEGORY_PAGE,
      variables: { slug: 'tools' },
    });
    const toolsCursor = dataOf<{ category: { products: { pageInfo: { endCursor: string } } } }>(
      categoryPage,
    ).category.products.pageInfo.endCursor;
    await abuse(
      'foreign cursor: category products cursor on featuredProducts',
      gql(FEATURED, { first: 2, after: toolsCursor }),
      { status: 200, code: 'BAD_CURSOR', calls: 0 },
    );
    await abuse(
      'foreign cursor: the customer orders cursor on featuredProducts',
      gql(FEATURED, { first: 2, after: aliceOrdersCursor }),
      { status: 200, code: 'BAD_CURSOR', calls: 0 },
    );
    // The category is read first (its slug comes from the arguments); the products Query never runs.
    const other = await abuse(
      'foreign cursor: tools cursor on the toys category',
      gql(CATEGORY_PAGE, { slug: 'toys', after: toolsCursor }),
      { status: 200, code: 'BAD_CURSOR', calls: 1 },
    );
    expect(other.json?.data).toEqual({ category: null });
  });

  it("another customer's orders cursor is refused; its owner can replay it", async () => {
    group = 'Cursors';
    // Bob's own profile is read first (me); his orders Query never runs.
    const foreign = await abuse(
      "foreign cursor: alice's orders cursor on bob's me.orders",
      gql(MY_ORDERS, { after: aliceOrdersCursor }, bearer(bob)),
      { status: 200, code: 'BAD_CURSOR', message: /^Invalid cursor/, calls: 1 },
    );
    expect(foreign.json?.data).toEqual({ me: null });
    const replay = await abuse(
      'replayed cursor: alice replays her own orders cursor (works, by design)',
      gql(MY_ORDERS, { after: aliceOrdersCursor }, bearer(alice)),
      { status: 200 },
    );
    const page = dataOf<{ me: { orders: { edges: Array<{ node: { id: string } }> } } }>(replay).me
      .orders;
    expect(page.edges.map((edge) => edge.node.id)).toEqual([aliceOrders[1]]);
  });

  it('a replayed viewer-bound cursor is refused for any other viewer, admins included', async () => {
    group = 'Cursors';
    const aliceGid = encodeGlobalID('Customer', 'alice');
    const ORDERS_OF =
      'query($id: ID!, $after: String) { node(id: $id) { ... on Customer { orders(first: 1, after: $after) { edges { node { id } } } } } }';
    await abuse(
      "replayed cursor: bob replays alice's cursor on alice's orders",
      gql(ORDERS_OF, { id: aliceGid, after: aliceOrdersCursor }, bearer(bob)),
      { status: 200, code: 'FORBIDDEN', calls: 1 },
    );
    await abuse(
      "replayed cursor: an admin replays alice's cursor on alice's orders",
      gql(
        'query($id: ID!, $after: String) { customer(id: $id) { orders(first: 1, after: $after) { edges { node { id } } } } }',
        { id: aliceGid, after: aliceOrdersCursor },
        bearer(admin),
      ),
      { status: 200, code: 'BAD_CURSOR', calls: 1 },
    );
  });

  it('a catalog cursor replayed by another viewer works: the catalog is public', async () => {
    group = 'Cursors';
    const cursor = await featuredCursor();
    const reply = await abuse(
      'replayed cursor: a featured cursor replayed by bob (public, by design)',
      gql(FEATURED, { first: 2, after: cursor }, bearer(bob)),
      { status: 200 },
    );
    expect(reply.json?.errors).toBeUndefined();
    expect(
      dataOf<{ featuredProducts: { edges: unknown[] } }>(reply).featuredProducts.edges,
    ).toHaveLength(2);
  });
});

describe("node(id) forged for other customers' data", () => {
  it("an order id carrying another customer's id is null, with no DynamoDB call", async () => {
    group = 'Forged ids';
    const [, orderId] = decodeGlobalID(aliceOrders[0]!).id.split(':') as [string, string];
    const forged = encodeGlobalID('Order', `alice:${orderId}`);
    expect(forged).toBe(aliceOrders[0]);
    await abuse("node(id): alice's order, asked by bob", gql(NODE, { id: forged }, bearer(bob)), {
      status: 200,
      data: { node: null },
      calls: 0,
    });
    await abuse(
      "order(id): alice's order, asked by bob",
      gql('query($id: ID!) { order(id: $id) { id totalCents } }', { id: forged }, bearer(bob)),
      { status: 200, data: { order: null }, calls: 0 },
    );
    await abuse("node(id): alice's order, anonymous", gql(NODE, { id: forged }), {
      status: 200,
      code: 'UNAUTHENTICATED',
      calls: 0,
    });
    // Bob's own customer id with alice's order id: his own partition, where it is not.
    await abuse(
      "node(id): bob's customer id with alice's order id",
      gql(NODE, { id: encodeGlobalID('Order', `bob:${orderId}`) }, bearer(bob)),
      { status: 200, data: { node: null }, calls: 1 },
    );
    await abuse(
      "cancelOrder: alice's order, by bob",
      gql(
        'mutation($id: ID!) { cancelOrder(orderId: $id) { __typename ... on Error { message } } }',
        { id: forged },
        bearer(bob),
      ),
      { status: 200, calls: 0 },
    );
    const mine = await postGraphQL(
      server.url,
      { query: NODE, variables: { id: forged } },
      bearer(alice),
    );
    expect(mine.json?.data?.node).toMatchObject({ status: 'PENDING' });
  });

  it("another customer's profile: name only; email and orders denied", async () => {
    group = 'Forged ids';
    const id = encodeGlobalID('Customer', 'alice');
    await abuse("node(id): alice's profile, name, asked by bob", gql(NODE, { id }, bearer(bob)), {
      status: 200,
      data: { node: { id, name: 'Customer alice' } },
      calls: 1,
    });
    const email = await abuse(
      "node(id): alice's profile with email, asked by bob",
      gql(
        'query($id: ID!) { node(id: $id) { ... on Customer { name email } } }',
        { id },
        bearer(bob),
      ),
      { status: 200, code: 'FORBIDDEN', message: 'Not authorized', calls: 1 },
    );
    expect(email.text).not.toContain('alice@example.com');
    await abuse(
      "customer(id): alice's profile, asked by bob (admin only)",
      gql('query($id: ID!) { customer(id: $id) { name email } }', { id }, bearer(bob)),
      { status: 200, code: 'FORBIDDEN', data: { customer: null }, calls: 0 },
    );
  });

  it('ids that are not ids are refused before any DynamoDB call', async () => {
    group = 'Forged ids';
    await abuse('node(id): not a global id', gql(NODE, { id: 'garbage!!' }), {
      status: 200,
      code: 'BAD_USER_INPUT',
      calls: 0,
    });
    await abuse('node(id): an unknown type', gql(NODE, { id: encodeGlobalID('Secret', 'x') }), {
      status: 200,
      code: 'BAD_USER_INPUT',
      calls: 0,
    });
    await abuse(
      'node(id): an order id without a customer',
      gql(NODE, { id: encodeGlobalID('Order', 'no-customer') }, bearer(bob)),
      { status: 200, data: { node: null }, calls: 0 },
    );
    await abuse(
      'product(id): a category id',
      gql('query($id: ID!) { product(id: $id) { id } }', {
        id: encodeGlobalID('Category', 'tools'),
      }),
      { status: 200, code: 'BAD_USER_INPUT', calls: 0 },
    );
  });
});

describe('operation bombs: refused at validation, no DynamoDB call', () => {
  const LIMIT = { status: 400, code: 'QUERY_LIMIT_EXCEEDED', calls: 0 };

  it('depth, aliases, directives, tokens and cost', async () => {
    group = 'Operation bombs';
    const nest = (steps: number) =>
      `{ featuredProducts { edges { node { ${'category { products { edges { node { '.repeat(steps)} id ${'} } } } '.repeat(steps)} } } } }`;
    await abuse('depth bomb (depth 40)', gql(nest(10)), {
      ...LIMIT,
      message: /^Query depth limit of 12 exceeded/,
    });
    await abuse(
      'alias bomb (500 aliases; the token limit stops it first)',
      gql(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: categories { id }`).join(' ')} }`),
      { ...LIMIT, message: /^(Aliases|Token) limit/ },
    );
    await abuse(
      'alias bomb (40 aliases of categories)',
      gql(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: categories { id }`).join(' ')} }`),
      { ...LIMIT, message: 'Aliases limit of 15 exceeded, found 40.' },
    );
    await abuse(
      'directive bomb (50 @include on a field)',
      gql(`{ categories { id ${'@include(if: true) '.repeat(50)} } }`),
      { ...LIMIT, message: /^Directives limit of 10 exceeded/ },
    );
    await abuse('token bomb (3000 tokens)', gql(`{ categories { ${'id '.repeat(3_000)} } }`), {
      ...LIMIT,
      message: 'Token limit of 1000 exceeded.',
    });
    await abuse(
      'cost bomb (100 products × 50 reviews × author)',
      gql(
        '{ featuredProducts(first: 100) { edges { node { reviews(first: 50) { edges { node { author { name } } } } } } } }',
      ),
      { ...LIMIT, message: /^Query cost limit of 5000 exceeded/i },
    );
    await abuse('duplicate-field bomb (990 × id)', gql(`{ categories { ${'id '.repeat(990)} } }`), {
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Validation aborted.',
      calls: 0,
    });
  });

  it('fragment bombs', async () => {
    group = 'Operation bombs';
    const chain = Array.from(
      { length: 30 },
      (_, i) =>
        `fragment F${i} on Product { category { products { edges { node { ...F${i + 1} } } } } }`,
    ).join(' ');
    await abuse(
      'deeply nested fragments (30 fragments, depth 121)',
      gql(
        `{ featuredProducts { edges { node { ...F0 } } } } ${chain} fragment F30 on Product { id }`,
      ),
      { ...LIMIT, message: /^Query depth limit of 12 exceeded/ },
    );
    const fanOut = Array.from(
      { length: 12 },
      (_, i) => `fragment W${i} on Query { categories { id } ...W${i + 1} ...W${i + 1} }`,
    ).join(' ');
    await abuse(
      'fragments spreading each other twice (2^12 expansions)',
      gql(`{ ...W0 } ${fanOut} fragment W12 on Query { categories { name } }`),
      { ...LIMIT, message: /^Query cost limit/i },
    );
    await abuse(
      'fragment cycle (A spreads B spreads A)',
      gql('{ ...A } fragment A on Query { ...B categories { id } } fragment B on Query { ...A }'),
      {
        status: 400,
        code: 'GRAPHQL_VALIDATION_FAILED',
        message: /Cannot spread fragment "A" within itself/,
        calls: 0,
      },
    );
    const aliased = Array.from(
      { length: 4 },
      (_, i) =>
        `fragment G${i} on Query { ${Array.from({ length: 5 }, (_, j) => `g${i}x${j}: categories { id }`).join(' ')} }`,
    ).join(' ');
    await abuse(
      'aliases spread over fragments (4 × 5)',
      gql(`{ ...G0 ...G1 ...G2 ...G3 } ${aliased}`),
      { ...LIMIT, message: /^Aliases limit of 15 exceeded, found 20/ },
    );
  });
});

describe('oversized lists and bodies', () => {
  it('is refused before any DynamoDB call', async () => {
    group = 'Oversized';
    const ids = Array.from({ length: 101 }, (_, i) =>
      encodeGlobalID('Product', catalog.products[i % catalog.products.length]!.id),
    );
    await abuse(
      'products(ids:) with 101 ids',
      gql('query($ids: [ID!]!) { products(ids: $ids) { id } }', { ids }),
      {
        status: 200,
        code: 'BAD_USER_INPUT',
        message: /at most 100 ids/,
        calls: 0,
      },
    );
    await abuse(
      'featuredProducts(first: 1000), literal',
      gql('{ featuredProducts(first: 1000) { edges { node { id } } } }'),
      {
        status: 400,
        code: 'QUERY_LIMIT_EXCEEDED',
        calls: 0,
      },
    );
    await abuse(
      'featuredProducts(first: $n), n = 1000',
      gql('query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }', { n: 1_000 }),
      { status: 200, code: 'BAD_USER_INPUT', message: /first/, calls: 0 },
    );
    await abuse(
      'me.orders(first: $n), n = 2^31 - 1',
      gql(
        'query($n: Int) { me { orders(first: $n) { edges { node { id } } } } }',
        { n: 2 ** 31 - 1 },
        bearer(alice),
      ),
      { status: 200, code: 'BAD_USER_INPUT', message: /first/ },
    );
    await abuse(
      'first: $n = 2^53 (not an Int: a request error)',
      gql('query($n: Int) { featuredProducts(first: $n) { edges { node { id } } } }', {
        n: 2 ** 53,
      }),
      {
        status: 400,
        code: 'BAD_USER_INPUT',
        message: /^Variable "\$n" got invalid value .*Int cannot represent/,
        calls: 0,
      },
    );
    const big = `{ categories { id } } #${'x'.repeat(server.config.maxBodyBytes)}`;
    await abuse('body over MAX_BODY_BYTES (100 kB)', gql(big), {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      calls: 0,
    });
    await abuse(
      'chunked body without Content-Length',
      () =>
        send(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(10_000).fill(32));
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit),
      { status: 411, code: 'LENGTH_REQUIRED', calls: 0 },
    );
  });
});

describe('malformed requests and wrong content types', () => {
  it('is refused with a clear error and no DynamoDB call', async () => {
    group = 'Malformed requests';
    const post =
      (body: string, headers: Record<string, string> = {}) =>
      () =>
        send(server.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            ...headers,
          },
          body,
        });
    const BAD = { status: 400, code: 'BAD_REQUEST', calls: 0 };
    await abuse('malformed JSON', post('{"query": "{ categories { id } }"'), {
      ...BAD,
      message: 'POST body sent invalid JSON.',
    });
    await abuse('JSON null', post('null'), { ...BAD, message: /expected to be object/ });
    await abuse('a JSON array (batching)', post('[{"query":"{ categories { id } }"}]'), {
      ...BAD,
      message: 'Batching is not supported.',
    });
    await abuse('no query', post('{"variables":{}}'), {
      ...BAD,
      message: 'Must provide query string.',
    });
    await abuse('query is a number', post('{"query":42}'), {
      ...BAD,
      message: /"query" param to be a string/,
    });
    await abuse(
      'variables is a string',
      post('{"query":"{ categories { id } }","variables":"x"}'),
      { ...BAD, message: /"variables" param/ },
    );
    await abuse('GraphQL syntax error', post('{"query":"{ categories { id "}'), {
      status: 400,
      code: 'GRAPHQL_PARSE_FAILED',
      message: /^Syntax Error/,
      calls: 0,
    });
    await abuse(
      'mutation over GET',
      () =>
        send(
          `${server.url}?query=${encodeURIComponent('mutation { createCategory(input: {slug: "via-get", name: "x"}) { __typename } }')}`,
        ),
      {
        status: 405,
        code: 'BAD_REQUEST',
        message: /mutation operation from a POST request/,
        calls: 0,
      },
    );
    await abuse('PUT', () => send(server.url, { method: 'PUT', body: '{}' }), {
      status: 405,
      code: 'BAD_REQUEST',
      calls: 0,
    });
    for (const contentType of ['text/plain', 'application/xml', 'application/octet-stream']) {
      await abuse(
        `content-type ${contentType}`,
        post('{"query":"{ categories { id } }"}', { 'content-type': contentType }),
        {
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          calls: 0,
        },
      );
    }
    await abuse(
      'a mutation POSTed with accept: text/html',
      post(
        JSON.stringify({
          query:
            'mutation { createCategory(input: {slug: "html-only", name: "x"}) { __typename } }',
        }),
        {
          accept: 'text/html',
          ...bearer(admin),
        },
      ),
      { status: 406, code: 'NOT_ACCEPTABLE', calls: 0 },
    );
    await abuse('a path that is not /graphql', () => send(`${server.origin}/admin`), {
      status: 404,
      code: 'NOT_FOUND',
      calls: 0,
    });
  });
});
