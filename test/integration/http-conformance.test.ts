import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/auth/tokens.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { postGraphQL, send } from '../helpers/graphql.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';

/**
 * What the GraphQL over HTTP spec and RFC 6750 ask of status codes and headers, over real
 * HTTP: unreadable requests are 400 under either JSON media type, every 401 has a
 * WWW-Authenticate challenge.
 */

let table: TestTable;
let server: HttpTestServer;

beforeAll(async () => {
  table = await createTestTable('http-conformance');
  server = await startHttpServer(table);
});

afterAll(async () => {
  await server?.close();
  await table?.drop();
});

const ACCEPTS = ['application/json', 'application/graphql-response+json'];

describe('unreadable requests are 400', () => {
  it('invalid JSON, whatever the Accept, with the typed error body', async () => {
    for (const accept of ACCEPTS) {
      const reply = await postGraphQL(server.url, '{ "not a JSON', { accept });
      expect(reply.status, accept).toBe(400);
      expect(reply.headers.get('content-type'), accept).toMatch(/json/);
      expect(reply.json, accept).toEqual({
        errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }],
      });
      expect(reply.headers.get('cache-control'), accept).toBe('no-store');
    }
  });

  it('a JSON body without a query ({} or only variables), and a GET without one', async () => {
    for (const accept of ACCEPTS) {
      for (const body of ['{}', '{"variables":{}}']) {
        const reply = await postGraphQL(server.url, body, { accept });
        expect(reply.status, `${accept} ${body}`).toBe(400);
        expect(reply.errors?.[0], `${accept} ${body}`).toMatchObject({
          message: 'Must provide query string.',
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      const get = await send(server.url, { headers: { accept } });
      expect(get.status, accept).toBe(400);
      expect(get.errors?.[0]?.extensions?.code, accept).toBe('BAD_REQUEST');
    }
  });

  it('a POST without a body (Content-Length: 0), before yoga reads it', async () => {
    for (const accept of ACCEPTS) {
      const reply = await send(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
      });
      expect(reply.status, accept).toBe(400);
      expect(reply.json, accept).toEqual({
        errors: [
          {
            message: 'The POST body is empty: send a JSON object with a `query`',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    }
  });

  it('but a syntax or validation error under application/json stays 200, as the spec says', async () => {
    for (const query of ['{ categories { slug ', '{ categories { nope } }']) {
      const json = await postGraphQL(server.url, { query }, { accept: 'application/json' });
      expect(json.status, query).toBe(200);
      expect(json.errors?.length, query).toBe(1);
      const graphql = await postGraphQL(server.url, { query });
      expect(graphql.status, query).toBe(400);
    }
  });
});

describe('WWW-Authenticate (RFC 6750)', () => {
  const ME = { query: '{ me { name } }' };
  const KEY = new TextEncoder().encode(TEST_JWT_SECRET);

  it('an expired token: 401, invalid_token and why, and the body says the same', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7_200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3_600)
      .sign(KEY);
    const reply = await postGraphQL(server.url, ME, { authorization: `Bearer ${expired}` });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="Token expired"',
    );
    expect(reply.errors?.[0]).toMatchObject({
      message: 'Token expired',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(reply.headers.get('cache-control')).toBe('private, no-store');
  });

  it('a token signed with another key: invalid_token, on a public GET too', async () => {
    const forged = await signDevToken('another-secret-0123456789-0123456789-abcdef', {
      sub: 'alice',
    });
    const reply = await send(
      `${server.url}?query=${encodeURIComponent('{ categories { slug } }')}`,
      {
        headers: { authorization: `Bearer ${forged}` },
      },
    );
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="Invalid token: signature verification failed"',
    );
  });

  it('another scheme or a malformed header: a challenge without an error code', async () => {
    for (const authorization of ['Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer a b']) {
      const reply = await postGraphQL(server.url, ME, { authorization });
      expect(reply.status, authorization).toBe(401);
      expect(reply.headers.get('www-authenticate'), authorization).toBe('Bearer realm="shop"');
    }
  });

  it('a good token or none gets no challenge', async () => {
    const token = await signDevToken(TEST_JWT_SECRET, { sub: 'alice' });
    const good = await postGraphQL(server.url, ME, { authorization: `Bearer ${token}` });
    expect(good.status).toBe(200);
    expect(good.headers.get('www-authenticate')).toBeNull();
    const anonymous = await postGraphQL(server.url, { query: '{ categories { slug } }' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('www-authenticate')).toBeNull();
  });
});
