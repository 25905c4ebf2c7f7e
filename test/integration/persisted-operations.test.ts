/**
 * Persisted operations over real HTTP: Apollo Client 4's PersistedQueryLink (automatic
 * persisted queries) against the gateway, APQ turned off, mutations by hash over GET, malformed
 * hashes, the Redis store shared by two apps and its TTL, and trusted documents from the
 * manifest of documents/.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { documentOperation, documentOperations, MANIFEST_FILE } from '../../src/dev/documents.js';
import { createFleet, type Fleet } from '../../src/fleet/fleet.js';
import { TEST_JWT_SECRET, testConfig } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The data without the `__typename` fields Apollo's cache adds to every selection. */
function stripTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTypename);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '__typename')
        .map(([key, inner]) => [key, stripTypename(inner)]),
    );
  }
  return value;
}

let table: TestTable;
let catalog: Catalog;
let server: HttpTestServer;

beforeAll(async () => {
  table = await createTestTable('persisted');
  catalog = await loadCatalog(table);
  server = await startHttpServer(table);
});

afterAll(async () => {
  await server?.close();
  await table?.drop();
});

interface Sent {
  method: string;
  hasQuery: boolean;
  hash: string | undefined;
}

/** Apollo with the APQ link, and what it put on the wire. */
function apqClient(url: string, options: { get?: boolean; token?: string } = {}) {
  const sent: Sent[] = [];
  const recording: typeof fetch = (input, init) => {
    const target = new URL(String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : {};
    const extensions = body.extensions ?? JSON.parse(target.searchParams.get('extensions') ?? '{}');
    sent.push({
      method: init?.method ?? 'GET',
      hasQuery: Boolean(body.query ?? target.searchParams.get('query')),
      hash: extensions.persistedQuery?.sha256Hash,
    });
    return fetch(input, init);
  };
  const client = new ApolloClient({
    link: new PersistedQueryLink({ sha256, useGETForHashedQueries: options.get ?? false }).concat(
      new HttpLink({
        uri: url,
        fetch: recording,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      }),
    ),
    cache: new InMemoryCache(),
  });
  return { client, sent };
}

const categoriesQuery = (name: string) => gql`
  query ${name} { categories { id slug name productCount } }
`;
const CATEGORIES = categoriesQuery('Categories');
const PRODUCT = gql`
  query Product($id: ID!) { product(id: $id) { id name priceCents } }
`;

describe('automatic persisted queries (Apollo PersistedQueryLink)', () => {
  for (const get of [false, true]) {
    it(`registers on the first send and sends the hash alone after (${get ? 'GET' : 'POST'})`, async () => {
      const query = categoriesQuery(get ? 'CategoriesByGet' : 'CategoriesByPost');
      const first = apqClient(server.url, { get });
      const { data } = await first.client.query<{ categories: Array<{ slug: string }> }>({
        query,
      });
      expect(data?.categories.map((c) => c.slug).sort()).toEqual(['tools', 'toys']);
      // Hash alone, PERSISTED_QUERY_NOT_FOUND, then hash and text (a POST, as the link does).
      expect(first.sent.map((s) => s.hasQuery)).toEqual([false, true]);
      expect(first.sent[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.sent[0]?.method).toBe(get ? 'GET' : 'POST');

      const second = apqClient(server.url, { get });
      const again = await second.client.query<{ categories: unknown[] }>({ query });
      expect(again.data?.categories).toEqual(data?.categories);
      expect(second.sent).toEqual([
        { method: get ? 'GET' : 'POST', hasQuery: false, hash: first.sent[0]?.hash },
      ]);
    });
  }

  it('runs every query of documents/ by hash over GET, with the same data as its text', async () => {
    const product = catalog.products[0]!;
    const productId = encodeGlobalID('Product', product.id);
    const customer = catalog.customers[0]!;
    const variables: Record<string, Record<string, unknown>> = {
      Categories: {},
      CategoryPage: { slug: 'tools', first: 5, sort: 'PRICE_DESC' },
      ProductPage: { id: productId, reviews: 3 },
      Products: { ids: [productId, encodeGlobalID('Product', catalog.products[1]!.id)] },
      Featured: { first: 3 },
      NodeLookup: { id: productId },
      Me: { orders: 2 },
      Order: { id: encodeGlobalID('Order', `${customer.id}:01JNOSUCHORDER0000000000000`) },
      OrdersByStatus: { status: 'PENDING', first: 2 },
      Customer: { id: encodeGlobalID('Customer', customer.id) },
    };
    const customerToken = await signDevToken(TEST_JWT_SECRET, { sub: customer.id });
    const adminToken = await signDevToken(TEST_JWT_SECRET, { sub: 'apq-admin', admin: true });
    const queries = [...documentOperations().values()].filter((op) => op.kind === 'query');
    expect(queries.map((op) => op.name).sort()).toEqual(Object.keys(variables).sort());
    for (const op of queries) {
      const token = ['OrdersByStatus', 'Customer'].includes(op.name) ? adminToken : customerToken;
      const query = gql(op.text);
      const plain = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: op.text, variables: variables[op.name] }),
      });
      const expected = (await plain.json()) as { data: unknown; errors?: unknown };
      expect(expected.errors, op.name).toBeUndefined();

      const first = apqClient(server.url, { get: true, token });
      const registered = await first.client.query({ query, variables: variables[op.name] });
      expect(
        first.sent.map((sent) => sent.hasQuery),
        op.name,
      ).toEqual([false, true]);
      const second = apqClient(server.url, { get: true, token });
      const { data } = await second.client.query({ query, variables: variables[op.name] });
      // A fresh client sends the hash alone, as a GET.
      expect(second.sent, op.name).toEqual([
        { method: 'GET', hasQuery: false, hash: first.sent[0]?.hash },
      ]);
      // Apollo adds __typename to every selection: compare what the operation asked for.
      expect(stripTypename(data), op.name).toEqual(stripTypename(registered.data));
      expect(stripTypename(data), op.name).toEqual(expected.data);
    }
  });

  it('runs a query with variables by hash', async () => {
    const product = catalog.products[0]!;
    const id = Buffer.from(`Product:${product.id}`).toString('base64');
    await apqClient(server.url).client.query({ query: PRODUCT, variables: { id } });
    const { client, sent } = apqClient(server.url, { get: true });
    const { data } = await client.query<{ product: { name: string } }>({
      query: PRODUCT,
      variables: { id },
    });
    expect(data?.product.name).toBe(product.name);
    expect(sent.map((s) => s.hasQuery)).toEqual([false]);
  });

  it('refuses a text whose hash is not the one sent, and stores nothing', async () => {
    const text = 'query Wrong { categories { id } }';
    const wrongHash = sha256('query Other { categories { slug } }');
    const refused = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query: text,
        extensions: { persistedQuery: { version: 1, sha256Hash: wrongHash } },
      }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const lookup = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: wrongHash } },
      }),
    });
    expect((await lookup.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

it('keeps no text that fails validation (the query limits)', async () => {
  const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: categories { id }`).join(' ');
  const text = `query TooMany { ${aliases} }`;
  const persistedQuery = { version: 1, sha256Hash: sha256(text) };
  const send = (body: unknown) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
  const refused = await send({ query: text, extensions: { persistedQuery } });
  expect(refused.status).toBe(400);
  const lookup = await send({ extensions: { persistedQuery } });
  expect((await lookup.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
});

/** A GraphQL request by hash alone (and with its text when given), over POST or GET. */
function byHash(
  url: string,
  hash: unknown,
  options: { method?: 'GET' | 'POST'; query?: string; variables?: unknown } = {},
) {
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  const accept = { accept: 'application/graphql-response+json' };
  if (options.method === 'GET') {
    const search = new URLSearchParams({ extensions: JSON.stringify(extensions) });
    if (options.query) search.set('query', options.query);
    return fetch(`${url}?${search}`, { headers: accept });
  }
  return fetch(url, {
    method: 'POST',
    headers: { ...accept, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(options.query ? { query: options.query } : {}),
      variables: options.variables,
      extensions,
    }),
  });
}

describe('a mutation by hash over GET', () => {
  it('gets 405, as the same mutation as text over GET does, once its text is known', async () => {
    const text =
      'mutation RestockByHash($p: ID!) { restock(productId: $p, quantity: 1) { __typename } }';
    const hash = sha256(text);
    const variables = { p: 'UHJvZHVjdDpub25l' };
    // Registered by POST (it runs, refused for want of a token: the text is still kept).
    const registered = await byHash(server.url, hash, { query: text, variables });
    expect((await registered.json()).errors?.[0]?.extensions?.code).not.toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    const known = await byHash(server.url, hash, { variables });
    expect((await known.json()).errors?.[0]?.extensions?.code).not.toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );

    const asText = await fetch(`${server.url}?query=${encodeURIComponent(text)}`);
    expect(asText.status).toBe(405);
    const hashed = await byHash(server.url, hash, { method: 'GET' });
    expect(hashed.status).toBe(405);
    expect(hashed.headers.get('allow')).toBe('POST');
    expect((await hashed.json()).errors[0].message).toMatch(/mutation.*POST/i);
  });
});

describe('a malformed hash', () => {
  it('gets 400 PERSISTED_QUERY_INVALID_HASH over POST and GET, with or without a text', async () => {
    for (const hash of ['*', sha256('{ x }').toUpperCase(), '{shop}:apq:x', 7]) {
      for (const method of ['POST', 'GET'] as const) {
        for (const query of [undefined, '{ categories { slug } }']) {
          const reply = await byHash(server.url, hash, { method, ...(query ? { query } : {}) });
          const what = `${method} ${JSON.stringify(hash)} ${query ? 'with' : 'without'} text`;
          expect(reply.status, what).toBe(400);
          expect((await reply.json()).errors[0].extensions.code, what).toBe(
            'PERSISTED_QUERY_INVALID_HASH',
          );
        }
      }
    }
  });
});

describe('PERSISTED_QUERIES=off', () => {
  let off: HttpTestServer;
  beforeAll(async () => {
    off = await startHttpServer(table, { PERSISTED_QUERIES: 'off' });
  });
  afterAll(async () => {
    await off?.close();
  });

  it("answers a hash with PERSISTED_QUERY_NOT_SUPPORTED, and Apollo's link sends text from then on", async () => {
    const raw = await byHash(off.url, sha256('{ categories { slug } }'));
    expect((await raw.json()).errors[0]).toMatchObject({
      message: 'PersistedQueryNotSupported',
      extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' },
    });

    const { client, sent } = apqClient(off.url, { get: true });
    const { data } = await client.query<{ categories: unknown[] }>({ query: CATEGORIES });
    expect(data?.categories).toHaveLength(2);
    // The hash, refused; the text without a hash; then text only, for other operations too.
    expect(sent.map(({ hasQuery, hash }) => ({ hasQuery, hashed: hash !== undefined }))).toEqual([
      { hasQuery: false, hashed: true },
      { hasQuery: true, hashed: false },
    ]);
    await client.query({ query: PRODUCT, variables: { id: 'UHJvZHVjdDpub25l' } });
    expect(sent[2]).toMatchObject({ hasQuery: true, hash: undefined });
    expect(sent).toHaveLength(3);
  });
});

describe('the Redis store: keys and their TTL', () => {
  let redis: TestRedis;
  let fleet: Fleet;
  let app: HttpTestServer;
  let commands: Redis;
  const TTL = 120;

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = { REDIS_URL: redis.url, PERSISTED_QUERY_TTL_SECONDS: String(TTL) };
    fleet = createFleet(testConfig(table.tableName, table.endpoint, env), createLogger('silent'));
    await fleet.ready;
    app = await startHttpServer(table, env, { fleet });
    commands = new Redis(redis.url);
  });

  afterAll(async () => {
    commands?.disconnect();
    await app?.close();
    await fleet?.stop();
    await redis?.stop();
  });

  /** GET commands the Redis server has run (only the operation store sends GET). */
  const gets = async () =>
    Number(/cmdstat_get:calls=(\d+)/.exec(await commands.info('commandstats'))?.[1] ?? 0);

  it('keeps a registered text for PERSISTED_QUERY_TTL_SECONDS', async () => {
    const text = 'query Kept { categories { slug } }';
    const key = `${app.config.redis?.keyPrefix}apq:${sha256(text)}`;
    expect((await byHash(app.url, sha256(text), { query: text })).status).toBe(200);
    await until(async () => (await commands.exists(key)) === 1, 5_000, 'the text in Redis');
    expect(await commands.get(key)).toBe(text);
    const ttl = await commands.ttl(key);
    expect(ttl).toBeGreaterThan(TTL - 10);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });

  it('asks Redis nothing for a malformed hash, and once for a well-formed unknown one', async () => {
    const before = await gets();
    const malformed = await byHash(app.url, `${sha256('x').slice(0, 60)}*`);
    expect(malformed.status).toBe(400);
    expect(await gets()).toBe(before);
    const unknown = await byHash(app.url, sha256('query Unknown { categories { id } }'));
    expect((await unknown.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await gets()).toBe(before + 1);
  });
});

describe('the Redis store', () => {
  let redis: TestRedis;
  let a: HttpTestServer;
  let b: HttpTestServer;

  const fleets: Fleet[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = { REDIS_URL: redis.url };
    for (const _ of [0, 1]) {
      const fleet = createFleet(
        testConfig(table.tableName, table.endpoint, env),
        createLogger('silent'),
      );
      await fleet.ready;
      fleets.push(fleet);
    }
    a = await startHttpServer(table, env, { fleet: fleets[0]! });
    b = await startHttpServer(table, env, { fleet: fleets[1]! });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const fleet of fleets) await fleet.stop();
    await redis?.stop();
  });

  it('finds on one replica a query registered on another, and falls back to the text while Redis is down', async () => {
    const registered = apqClient(a.url);
    await registered.client.query({ query: PRODUCT, variables: { id: 'UHJvZHVjdDpub25l' } });
    expect(registered.sent.map((s) => s.hasQuery)).toEqual([false, true]);
    const other = apqClient(b.url);
    await other.client.query({ query: PRODUCT, variables: { id: 'UHJvZHVjdDpub25l' } });
    expect(other.sent.map((s) => s.hasQuery)).toEqual([false]);

    await redis.stop();
    const during = apqClient(b.url);
    const { data } = await during.client.query<{ categories: unknown[] }>({ query: CATEGORIES });
    expect(data?.categories).toHaveLength(2);
    expect(during.sent.map((s) => s.hasQuery)).toEqual([false, true]);
  });
});

describe('trusted documents (TRUSTED_DOCUMENTS)', () => {
  let trusted: HttpTestServer;
  const post = (body: unknown) =>
    fetch(trusted.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    trusted = await startHttpServer(table, { TRUSTED_DOCUMENTS: MANIFEST_FILE });
  });

  afterAll(async () => {
    await trusted?.close();
  });

  it("runs the manifest's operations by hash", async () => {
    const op = documentOperation('Categories');
    const reply = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(op.text) } },
    });
    expect(reply.status).toBe(200);
    expect((await reply.json()).data.categories).toHaveLength(2);
  });

  it('refuses any operation text, even a known one, and a hash not in the manifest', async () => {
    const arbitrary = await post({ query: '{ categories { id } }' });
    expect(arbitrary.status).toBe(400);
    expect((await arbitrary.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    const op = documentOperation('Categories');
    const known = await post({
      query: op.text,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(op.text) } },
    });
    expect(known.status).toBe(400);
    const unknown = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } },
    });
    expect(unknown.status).toBe(400);
    const error = (await unknown.json()).errors[0];
    expect(error.extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // Apollo's link would resend the text on this message, only to be refused again.
    expect(error.message).not.toBe('PersistedQueryNotFound');
  });

  it('is the manifest of documents/ as committed', async () => {
    const { documentsManifest } = await import('../../src/dev/documents.js');
    expect(JSON.parse(readFileSync(MANIFEST_FILE, 'utf8'))).toEqual(documentsManifest());
  });
});
