import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { type HttpReply, postGraphQL, send } from '../helpers/graphql.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * HTTP caching over real HTTP (src/plugins/use-http-caching.ts): what a CDN or a browser sees
 * of anonymous GETs, conditional GETs, authenticated requests, POSTs, errors and refusals.
 */

const TTL = 30;
const STRONG_TAG = /^"[A-Za-z0-9_-]{22}"$/;
const PRODUCT = 'query Product($id: ID!) { product(id: $id) { id name version } }';
const CATEGORIES = '{ categories { slug name } }';

let table: TestTable;
let server: HttpTestServer;
let uncached: HttpTestServer;
let cors: HttpTestServer;
let noCors: HttpTestServer;
let catalog: Catalog;
let admin: string;
let alice: string;

const urlOf = (base: string, query: string, variables?: Record<string, unknown>) =>
  `${base}?query=${encodeURIComponent(query)}${
    variables ? `&variables=${encodeURIComponent(JSON.stringify(variables))}` : ''
  }`;
const get = (url: string, headers: Record<string, string> = {}) =>
  send(url, { headers: { accept: 'application/graphql-response+json', ...headers } });
const varyOf = (reply: HttpReply) =>
  (reply.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());

beforeAll(async () => {
  table = await createTestTable('http-caching');
  catalog = await loadCatalog(table);
  [server, uncached, cors, noCors] = await Promise.all([
    startHttpServer(table, { RESPONSE_CACHE_TTL_SECONDS: String(TTL) }),
    startHttpServer(table, { RESPONSE_CACHE_TTL_SECONDS: '0' }),
    // Tests run with CORS open (`*`, the development default); production has none unless set.
    startHttpServer(table, { NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example' }),
    startHttpServer(table, { NODE_ENV: 'production' }),
  ]);
  [admin, alice] = await Promise.all([
    signDevToken(TEST_JWT_SECRET, { sub: 'root', admin: true }),
    signDevToken(TEST_JWT_SECRET, { sub: 'alice' }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.close(), uncached?.close(), cors?.close(), noCors?.close()]);
  await table?.drop();
});

describe('an anonymous GET that succeeds', () => {
  it('is public for the response cache TTL, varies on Accept and Authorization, has a quoted strong ETag', async () => {
    const reply = await get(urlOf(server.url, CATEGORIES));
    expect(reply.status).toBe(200);
    expect(reply.errors).toBeUndefined();
    expect(reply.headers.get('cache-control')).toBe(
      `public, max-age=${TTL}, stale-while-revalidate=${TTL}`,
    );
    expect(varyOf(reply)).toEqual(['accept', 'authorization', 'origin']);
    expect(reply.headers.get('etag')).toMatch(STRONG_TAG);
    // The response cache's own validator (when this replica cached it) is not sent.
    expect(reply.headers.get('last-modified')).toBeNull();
  });

  it('keeps its ETag from the response cache, and gets another one per media type', async () => {
    const url = urlOf(server.url, CATEGORIES);
    const first = await get(url);
    const { result: second, total } = await server.wireCalls(() => get(url));
    expect(total).toBe(0); // served from the response cache
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    const asJson = await get(url, { accept: 'application/json' });
    expect(asJson.status).toBe(200);
    expect(asJson.headers.get('etag')).toMatch(STRONG_TAG);
    expect(asJson.headers.get('etag')).not.toBe(first.headers.get('etag'));
  });

  it('answers a matching If-None-Match with 304, no body, and the same ETag, Cache-Control and Vary', async () => {
    const url = urlOf(server.url, CATEGORIES);
    const fresh = await get(url);
    const etag = fresh.headers.get('etag') ?? '';
    for (const condition of [etag, `W/${etag}`, '*', `"something-else", ${etag}`]) {
      const reply = await get(url, { 'if-none-match': condition });
      expect(reply.status, condition).toBe(304);
      expect(reply.text, condition).toBe('');
      expect(reply.headers.get('etag'), condition).toBe(etag);
      expect(reply.headers.get('cache-control'), condition).toBe(
        fresh.headers.get('cache-control'),
      );
      expect(reply.headers.get('vary'), condition).toBe(fresh.headers.get('vary'));
      expect(reply.headers.get('content-type'), condition).toBeNull();
    }
    // Another tag, or this one unquoted (the old form), is not a match: the whole answer.
    for (const condition of ['"something-else"', etag.slice(1, -1)]) {
      const reply = await get(url, { 'if-none-match': condition });
      expect(reply.status, condition).toBe(200);
      expect(reply.json?.data, condition).toBeDefined();
    }
  });

  it('gets a new ETag when the data changes, and the old one no longer matches', async () => {
    const product = catalog.products[3];
    if (!product) throw new Error('fixture');
    const id = encodeGlobalID('Product', product.id);
    const url = urlOf(server.url, PRODUCT, { id });
    const before = await get(url);
    const oldTag = before.headers.get('etag') ?? '';
    expect(oldTag).toMatch(STRONG_TAG);
    const { version } = (before.data as { product: { version: number } }).product;
    const update = await postGraphQL(
      server.url,
      {
        query:
          'mutation($input: UpdateProductInput!) { updateProduct(input: $input) { __typename } }',
        variables: { input: { id, expectedVersion: version, name: 'Renamed tool' } },
      },
      { authorization: `Bearer ${admin}` },
    );
    expect(update.json?.data).toEqual({ updateProduct: { __typename: 'UpdateProductSuccess' } });
    const after = await get(url, { 'if-none-match': oldTag });
    expect(after.status).toBe(200);
    expect((after.data as { product: { name: string } }).product.name).toBe('Renamed tool');
    expect(after.headers.get('etag')).toMatch(STRONG_TAG);
    expect(after.headers.get('etag')).not.toBe(oldTag);
  });
});

describe('with the response cache off (TTL 0)', () => {
  it('is no-cache, and a 304 still comes from the answer read fresh from DynamoDB', async () => {
    const url = urlOf(uncached.url, CATEGORIES);
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(STRONG_TAG);
    const { result, total } = await uncached.wireCalls(() => get(url, { 'if-none-match': etag }));
    expect(total).toBeGreaterThan(0); // no response cache: the query ran against the table
    expect(result.status).toBe(304);
    expect(result.text).toBe('');
    expect(result.headers.get('etag')).toBe(etag);
    expect(result.headers.get('cache-control')).toBe('no-cache');
  });
});

describe('what is never kept by a shared cache', () => {
  it('an authenticated GET is private, no-store, without ETag, and ignores If-None-Match', async () => {
    const url = urlOf(server.url, CATEGORIES);
    const anonymousTag = (await get(url)).headers.get('etag') ?? '';
    const reply = await get(url, {
      authorization: `Bearer ${alice}`,
      'if-none-match': anonymousTag,
    });
    expect(reply.status).toBe(200);
    expect(reply.json?.data).toBeDefined();
    expect(reply.headers.get('cache-control')).toBe('private, no-store');
    expect(reply.headers.get('etag')).toBeNull();
    expect(varyOf(reply)).toContain('authorization');
  });

  it('a POST is no-store without ETag, a query too', async () => {
    const reply = await postGraphQL(server.url, { query: CATEGORIES });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('etag')).toBeNull();
    expect(reply.headers.get('last-modified')).toBeNull();
    expect(varyOf(reply)).toEqual(['accept', 'authorization', 'origin']);
  });

  it('a query answered as a stream (text/event-stream) keeps its own no-cache, without ETag', async () => {
    const reply = await get(urlOf(server.url, CATEGORIES), { accept: 'text/event-stream' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(reply.text).toMatch(/"categories"/);
    expect(reply.headers.get('cache-control')).toBe('no-cache');
    expect(reply.headers.get('etag')).toBeNull();
  });

  it('a GET with errors is no-store: a partial result, a validation error, a bad id', async () => {
    for (const [query, accept] of [
      ['{ categories { slug } product(id: "not-a-global-id") { id } }', 'application/json'],
      ['{ categories { nope } }', 'application/json'],
      ['{ categories { nope } }', 'application/graphql-response+json'],
    ] as const) {
      const reply = await get(urlOf(server.url, query), { accept });
      expect(reply.errors?.length, query).toBeGreaterThan(0);
      expect(reply.headers.get('cache-control'), query).toBe('no-store');
      expect(reply.headers.get('etag'), query).toBeNull();
    }
  });

  it('refusals at the edge are no-store: 404, 405, 406, 413', async () => {
    const refusals: Array<[number, Promise<HttpReply>]> = [
      [404, send(`${server.origin}/nowhere`)],
      [
        405,
        get(
          urlOf(
            server.url,
            'mutation { createCategory(input: {slug: "x", name: "x"}) { __typename } }',
          ),
        ),
      ],
      [406, postGraphQL(server.url, { query: CATEGORIES }, { accept: 'image/png' })],
      [413, postGraphQL(server.url, { query: CATEGORIES, pad: 'x'.repeat(200_000) })],
    ];
    for (const [status, pending] of refusals) {
      const reply = await pending;
      expect(reply.status).toBe(status);
      expect(reply.headers.get('cache-control'), String(status)).toBe('no-store');
      expect(reply.headers.get('etag'), String(status)).toBeNull();
    }
  });
});

describe('Vary', () => {
  it('is Accept and Authorization without CORS', async () => {
    const reply = await get(urlOf(noCors.url, CATEGORIES), { origin: 'https://shop.example' });
    expect(reply.status).toBe(200);
    expect(varyOf(reply)).toEqual(['accept', 'authorization']);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('varies on Origin too, once, whether or not the request came from a listed origin', async () => {
    const url = urlOf(cors.url, CATEGORIES);
    for (const origin of ['https://shop.example', 'https://elsewhere.example', undefined]) {
      const reply = await get(url, origin ? { origin } : {});
      expect(reply.status).toBe(200);
      expect(varyOf(reply).sort(), String(origin)).toEqual(['accept', 'authorization', 'origin']);
      expect(reply.headers.get('access-control-allow-origin'), String(origin)).toBe(
        origin === 'https://shop.example' ? origin : null,
      );
    }
  });
});
