/**
 * HTTP as CDNs, browsers and the GraphQL over HTTP spec see it, over real HTTP: caching headers
 * and 304s, the graphql-http audit, 400s for bad bodies and the 401 challenge.
 */
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { etagMatches, mergeVary, quoteEtag } from '../../src/plugins/use-http-caching.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { loadCatalog } from '../helpers/fixtures.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

let table: TestTable;
let server: HttpTestServer;

beforeAll(async () => {
  table = await createTestTable('http');
  await loadCatalog(table);
  server = await startHttpServer(table);
});

afterAll(async () => {
  await server?.close();
  await table?.drop();
});

const categoriesUrl = () => `${server.url}?query=${encodeURIComponent('{ categories { slug } }')}`;
const ACCEPT = { accept: 'application/graphql-response+json' };

describe('HTTP caching', () => {
  it('marks an anonymous GET public for the response cache TTL, with a quoted ETag and Vary', async () => {
    const first = await fetch(categoriesUrl(), { headers: ACCEPT });
    expect(first.status).toBe(200);
    const ttl = server.config.responseCacheTtlSeconds;
    expect(first.headers.get('cache-control')).toBe(
      `public, max-age=${ttl}, stale-while-revalidate=${ttl}`,
    );
    expect(first.headers.get('vary')).toMatch(/Accept.*Authorization/);
    const second = await fetch(categoriesUrl(), { headers: ACCEPT });
    expect(second.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    await fetch(categoriesUrl(), { headers: ACCEPT });
    const cached = await fetch(categoriesUrl(), { headers: ACCEPT });
    const etag = cached.headers.get('etag')!;
    const revalidated = await fetch(categoriesUrl(), {
      headers: { ...ACCEPT, 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toMatch(/^public/);
    const other = await fetch(categoriesUrl(), {
      headers: { ...ACCEPT, 'if-none-match': '"other"' },
    });
    expect(other.status).toBe(200);
  });

  it('never lets a shared cache keep an authenticated answer, a POST or an error', async () => {
    const token = await signDevToken(TEST_JWT_SECRET, { sub: 'http-caching' });
    const authed = await fetch(categoriesUrl(), {
      headers: { ...ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(authed.status).toBe(200);
    expect(authed.headers.get('cache-control')).toBe('private, no-store');
    const posted = await fetch(server.url, {
      method: 'POST',
      headers: { ...ACCEPT, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ categories { slug } }' }),
    });
    expect(posted.headers.get('cache-control')).toBe('no-store');
    const failed = await fetch(
      `${server.url}?query=${encodeURIComponent('{ product(id: "bad") { id } }')}`,
      {
        headers: ACCEPT,
      },
    );
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });

  it('merges Vary, quotes ETags and compares them weakly (unit)', () => {
    expect(mergeVary('Origin, accept', ['Accept', 'Authorization'])).toBe(
      'Origin, accept, Authorization',
    );
    expect(mergeVary('*', ['Accept'])).toBe('*');
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(quoteEtag('W/"abc"')).toBe('W/"abc"');
    expect(etagMatches('W/"abc", "def"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
    expect(etagMatches('"abd"', '"abc"')).toBe(false);
    expect(etagMatches(null, '"abc"')).toBe(false);
  });
});

describe('GraphQL over HTTP', () => {
  it('passes every MUST and SHOULD audit of graphql-http', async () => {
    const results = await auditServer({ url: server.url });
    const failing = results
      .filter((result) => result.status !== 'ok' && !result.name.startsWith('MAY'))
      .map((result) => result.name);
    expect(failing).toEqual([]);
    expect(results.filter((result) => result.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  for (const [what, body] of [
    ['invalid JSON', '{bad'],
    ['an empty body', ''],
    ['no query', '{}'],
  ] as const) {
    it(`answers a POST with ${what} 400 under application/json too`, async () => {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const reply = await fetch(server.url, {
          method: 'POST',
          headers: { accept, 'content-type': 'application/json' },
          body,
        });
        expect(reply.status).toBe(400);
        expect((await reply.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
      }
    });
  }

  it('challenges a refused token with WWW-Authenticate (RFC 6750)', async () => {
    const reply = await fetch(server.url, {
      method: 'POST',
      headers: { ...ACCEPT, 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
      body: JSON.stringify({ query: '{ categories { slug } }' }),
    });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="shop", error="invalid_token", error_description=".+"$/,
    );
    expect((await reply.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
