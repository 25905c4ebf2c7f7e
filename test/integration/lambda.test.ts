import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppDeps } from '../../src/app/create-app.js';
import { signDevToken } from '../../src/auth/tokens.js';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from '../../src/entry/lambda.js';
import { toRequest, toResult } from '../../src/http/lambda-adapter.js';
import { TEST_CURSOR_SECRET, TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';

/**
 * The Lambda entry point as API Gateway's HTTP API calls it: real-shaped 2.0 events from
 * test/fixtures/lambda, the handler module imported only after the environment is set (it
 * reads it once, at module scope), and the real app on a DynamoDB Local table.
 */
type LambdaModule = typeof import('../../src/entry/lambda.js');

/** The real createApp, counted: every app the handler module builds, and its fetch calls. */
const built = vi.hoisted(() => ({ apps: [] as Array<{ deps: AppDeps }>, fetches: 0 }));
vi.mock('../../src/app/create-app.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/app/create-app.js')>();
  return {
    ...original,
    createApp: (deps: AppDeps) => {
      const app = original.createApp(deps);
      // The handler calls app.fetch(request).
      const fetch = (request: Request) => {
        built.fetches += 1;
        return app.fetch(request);
      };
      built.apps.push({ deps });
      return new Proxy(app, {
        get: (target, property, receiver) =>
          property === 'fetch' ? fetch : Reflect.get(target, property, receiver),
      });
    },
  };
});

const context = { awsRequestId: '5e1f8c3a-7d2b-4e0f-9a6c-2b8d4f1e3a70' };
let table: TestTable;
let catalog: Catalog;
let lambda: LambdaModule;

function fixture(name: string): APIGatewayProxyEventV2 {
  const file = new URL(`../fixtures/lambda/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as APIGatewayProxyEventV2;
}

/** The POST fixture with another GraphQL body (its content-length left as the fixture has it). */
function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const event = fixture('post-graphql');
  event.body = JSON.stringify(body);
  event.headers = { ...event.headers, ...headers };
  return event;
}

interface Body {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function invoke(event: APIGatewayProxyEventV2) {
  const result = await lambda.handler(event, context);
  return { result, body: parse(result) };
}

function parse(result: APIGatewayProxyStructuredResultV2): Body {
  expect(result.isBase64Encoded).toBe(false);
  if (!result.body) return {};
  try {
    return JSON.parse(result.body) as Body;
  } catch {
    throw new Error(`not JSON (HTTP ${result.statusCode}): ${result.body.slice(0, 500)}`);
  }
}

beforeAll(async () => {
  table = await createTestTable('lambda');
  catalog = await loadCatalog(table);
  vi.stubEnv('NODE_ENV', 'production');
  vi.stubEnv('DYNAMODB_ENDPOINT', table.endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('TABLE_NAME', table.tableName);
  vi.stubEnv('JWT_SECRET', TEST_JWT_SECRET);
  vi.stubEnv('JWKS_URL', '');
  vi.stubEnv('CURSOR_SECRET', TEST_CURSOR_SECRET);
  vi.stubEnv('LOG_LEVEL', process.env.TEST_LOG_LEVEL ?? 'silent');
  lambda = await import('../../src/entry/lambda.js');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await table?.drop();
});

describe('the Lambda handler with API Gateway HTTP API events', () => {
  it('answers a POST /graphql with the categories, and the API Gateway request id', async () => {
    const { result, body } = await invoke(fixture('post-graphql'));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^application\/graphql-response\+json/);
    expect(body.errors).toBeUndefined();
    expect(body.data?.categories).toEqual([
      { slug: 'tools', name: 'Category tools', productCount: 45 },
      { slug: 'toys', name: 'Category toys', productCount: 5 },
    ]);
    // `JKJaXmPLvHcESHA=` written the way the app accepts request ids.
    expect(result.headers?.['x-request-id']).toBe('JKJaXmPLvHcESHA');
  });

  it("keeps the client's own x-request-id", async () => {
    const event = fixture('post-graphql');
    event.headers = { ...event.headers, 'x-request-id': 'checkout-7f3a' };
    const { result } = await invoke(event);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['x-request-id']).toBe('checkout-7f3a');
  });

  it('answers a GET /graphql?query=... from rawQueryString', async () => {
    const { result, body } = await invoke(fixture('get-graphql'));
    expect(result.statusCode).toBe(200);
    expect(body.data?.categories).toEqual([
      { slug: 'tools', productCount: 45 },
      { slug: 'toys', productCount: 5 },
    ]);
  });

  it('decodes a base64-encoded body', async () => {
    const event = fixture('post-graphql-base64');
    expect(event.isBase64Encoded).toBe(true);
    const { result, body } = await invoke(event);
    expect(result.statusCode).toBe(200);
    expect(body.data?.category).toEqual({
      slug: 'tools',
      name: 'Category tools',
      productCount: 45,
    });
    // `Xa1/b+c2dEFgHIk=` as base64url: the same id, in the app's alphabet.
    expect(result.headers?.['x-request-id']).toBe('Xa1_b-c2dEFgHIk');
  });

  it('authenticates the bearer token from the headers', async () => {
    const customer = catalog.customers[0]!;
    const token = await signDevToken(TEST_JWT_SECRET, { sub: customer.id });
    const { result, body } = await invoke(
      post({ query: '{ me { name email } }' }, { authorization: `Bearer ${token}` }),
    );
    expect(result.statusCode).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.me).toEqual({ name: customer.name, email: customer.email });
  });

  it('refuses a bad token with 401', async () => {
    const { result, body } = await invoke(
      post({ query: '{ me { name } }' }, { authorization: 'Bearer not.a.token' }),
    );
    expect(result.statusCode).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('sends the caching headers of the container: no-cache without Redis, a quoted ETag, 304', async () => {
    const { result } = await invoke(fixture('get-graphql'));
    expect(result.statusCode).toBe(200);
    // No REDIS_URL: the response cache is off, so a CDN must revalidate every time.
    expect(result.headers?.['cache-control']).toBe('no-cache');
    expect(result.headers?.vary).toBe('Accept, Authorization');
    const etag = result.headers?.etag ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const event = fixture('get-graphql');
    event.headers = { ...event.headers, 'if-none-match': etag };
    const notModified = await lambda.handler(event, context);
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers?.etag).toBe(etag);
    expect(notModified.headers?.['cache-control']).toBe('no-cache');
    const posted = await invoke(post({ query: '{ categories { slug } }' }));
    expect(posted.result.headers?.['cache-control']).toBe('no-store');
    expect(posted.result.headers?.etag).toBeUndefined();
  });

  it('challenges a bad token (WWW-Authenticate) and marks it private, no-store', async () => {
    const { result } = await invoke(
      post({ query: '{ me { name } }' }, { authorization: 'Bearer not.a.token' }),
    );
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="Invalid token: malformed"',
    );
    expect(result.headers?.['cache-control']).toBe('private, no-store');
  });

  it('answers an empty body and invalid JSON with 400, under application/json too', async () => {
    const empty = fixture('post-graphql');
    empty.body = '';
    const emptyReply = await invoke(empty);
    expect(emptyReply.result.statusCode).toBe(400);
    expect(emptyReply.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    const invalid = fixture('post-graphql');
    invalid.body = '{ "not a JSON';
    invalid.headers = { ...invalid.headers, accept: 'application/json' };
    const invalidReply = await invoke(invalid);
    expect(invalidReply.result.statusCode).toBe(400);
    expect(invalidReply.body.errors?.[0]).toEqual({
      message: 'POST body sent invalid JSON.',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('refuses a mutation over GET with 405', async () => {
    const event = fixture('get-graphql');
    const mutation = 'mutation { restock(productId: "x", quantity: 1) { __typename } }';
    event.rawQueryString = `query=${encodeURIComponent(mutation)}`;
    const { result, body } = await invoke(event);
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST');
    expect(body.errors?.[0]?.message).toMatch(/mutation.*POST/i);
  });

  it('runs a hash-only GET (APQ) once a POST registered its text, and refuses the unknown hash first', async () => {
    const text = 'query LambdaByHash { categories { slug } }';
    const extensions = JSON.stringify({
      persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(text).digest('hex') },
    });
    const hashOnly = () => {
      const event = fixture('get-graphql');
      event.rawQueryString = `extensions=${encodeURIComponent(extensions)}`;
      return event;
    };
    const unknown = await invoke(hashOnly());
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await invoke(post({ query: text, extensions: JSON.parse(extensions) }));
    expect(registered.result.statusCode).toBe(200);
    const { result, body } = await invoke(hashOnly());
    expect(result.statusCode).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.categories).toEqual([{ slug: 'tools' }, { slug: 'toys' }]);
  });

  it('answers GET /health with 200, and GET /ready with 200 once the table is described', async () => {
    const result = await lambda.handler(fixture('get-health'), context);
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    const event = fixture('get-health');
    event.rawPath = '/ready';
    expect((await lambda.handler(event, context)).statusCode).toBe(200);
  });

  it('serves a named stage: the stage prefix is not part of the route', async () => {
    const event = fixture('get-graphql');
    event.rawPath = '/prod/graphql';
    event.requestContext.stage = 'prod';
    const { result, body } = await invoke(event);
    expect(result.statusCode).toBe(200);
    expect(body.data?.categories).toHaveLength(2);
  });

  it('answers a subscription at once with a clear error, whatever the Accept header', async () => {
    const product = catalog.products[0]!;
    const productId = encodeGlobalID('Product', product.id);
    const subscription = {
      query: 'subscription ($id: ID!) { stockChanged(productId: $id) { id stock } }',
      variables: { id: productId },
    };
    const json = await invoke(post(subscription));
    expect(json.result.statusCode).toBe(400);
    expect(json.body.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTIONS_UNAVAILABLE');
    expect(json.body.errors?.[0]?.message).toMatch(/container deployment/);

    // An SSE subscription would hold the response open until the function times out.
    const sse = post(subscription, { accept: 'text/event-stream' });
    const result = await Promise.race([
      lambda.handler(sse, context),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the subscription response did not end')), 5_000),
      ),
    ]);
    expect(result.headers?.['content-type']).toMatch(/^text\/event-stream/);
    expect(result.body).toMatch(/SUBSCRIPTIONS_UNAVAILABLE/);
    expect(result.body).toMatch(/event: complete/);
  });

  it('builds the app once per cold start and reuses it in warm invocations', async () => {
    expect(built.apps).toHaveLength(1);
    expect(built.apps[0]?.deps.subscriptions).toBe(false);
    expect(built.apps[0]?.deps.config.tableName).toBe(table.tableName);
    const before = built.fetches;
    const first = await invoke(fixture('get-graphql'));
    const second = await invoke(fixture('post-graphql'));
    expect(first.body.data?.categories).toHaveLength(2);
    expect(second.body.data?.categories).toHaveLength(2);
    expect(built.fetches - before).toBe(2);
    expect(built.apps).toHaveLength(1);
    // And a second import does not evaluate the module again.
    expect(await import('../../src/entry/lambda.js')).toBe(lambda);
    expect(built.apps).toHaveLength(1);
  });
});

describe('event and response conversion', () => {
  it('joins the cookies array into a Cookie header and measures the body it was given', async () => {
    const event = post({ query: '{ categories { slug } }' });
    expect(event.headers?.['content-length']).not.toBe(String(Buffer.byteLength(event.body!)));
    const request = toRequest(event, context);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://r3pmxmplak.execute-api.us-east-1.amazonaws.com/graphql');
    expect(request.headers.get('cookie')).toBe('theme=dark; consent=yes');
    expect(request.headers.get('content-length')).toBe(String(Buffer.byteLength(event.body!)));
    expect(await request.text()).toBe(event.body);
  });

  it("falls back to Lambda's request id and to a safe host", () => {
    const event = fixture('get-health');
    event.requestContext.requestId = 'not a usable id!';
    event.headers = { ...event.headers, host: 'evil.example/path?x=' };
    event.requestContext.domainName = undefined;
    const request = toRequest(event, context);
    expect(request.headers.get('x-request-id')).toBe(context.awsRequestId);
    expect(request.url).toBe('https://localhost/health');
  });

  it('answers a malformed event with 400, not a crash', async () => {
    const event = fixture('get-health');
    event.headers = { ...event.headers, 'x-broken': 'a\nb' };
    const result = await lambda.handler(event, context);
    expect(result.statusCode).toBe(400);
    expect(parse(result).errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('puts each Set-Cookie in `cookies` and base64-encodes binary and compressed bodies', async () => {
    const headers = new Headers({ 'content-type': 'image/png' });
    headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
    headers.append('set-cookie', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
    const binary = await toResult(new Response(png, { status: 201, headers }));
    expect(binary.statusCode).toBe(201);
    expect(binary.cookies).toEqual([
      'a=1; Path=/; HttpOnly',
      'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
    ]);
    expect(binary.headers?.['set-cookie']).toBeUndefined();
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64').equals(png)).toBe(true);

    const json = JSON.stringify({ data: { ok: true } });
    const gzipped = await toResult(
      new Response(gzipSync(json), {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      }),
    );
    expect(gzipped.isBase64Encoded).toBe(true);
    expect(gzipped.headers?.['content-encoding']).toBe('gzip');

    const text = await toResult(
      new Response(json, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    expect(text).toMatchObject({ isBase64Encoded: false, body: json });
    expect(text.cookies).toBeUndefined();

    const head = await toResult(new Response(json), 'HEAD');
    expect(head.body).toBe('');
  });
});
