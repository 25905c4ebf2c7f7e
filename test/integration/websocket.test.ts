/**
 * graphql-ws on /graphql over a real socket: the graphql-ws client and Apollo's GraphQLWsLink,
 * stockChanged and orderStatusChanged fed by the table's stream, the token from
 * connectionParams, the HTTP path's limits and metrics, overload shedding, the per-socket
 * subscription cap, and the shutdown's 1001.
 */

import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Client, createClient, type ExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/app/logger.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { SHED_MESSAGE } from '../../src/errors/to-graphql.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import type { StreamReader } from '../../src/events/stream-reader.js';
import { createFleet } from '../../src/fleet/fleet.js';
import { customerItem } from '../../src/models/customer.js';
import { Admission } from '../../src/store/admission.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, type Catalog, loadCatalog, putItems } from '../helpers/fixtures.js';
import { type HttpTestServer, restockOverHttp, startHttpServer } from '../helpers/http-server.js';
import { startTestStreamReader } from '../helpers/stream.js';
import { until } from '../helpers/until.js';

let table: TestTable;
let catalog: Catalog;
let server: HttpTestServer;
let reader: StreamReader;
const clients: Client[] = [];
const servers: HttpTestServer[] = [];
/** Small, so that the cap's test reaches it with a few subscriptions. */
const MAX_SUBSCRIPTIONS = 2;

beforeAll(async () => {
  table = await createTestTable('websocket');
  catalog = await loadCatalog(table);
  await putItems(table, [customerItem(aCustomer('ws-owner')), customerItem(aCustomer('ws-other'))]);
  const pubsub = createShopPubSub();
  const fleet = createFleet({ redis: undefined }, createLogger('silent'));
  server = await startHttpServer(
    table,
    { WS_MAX_SUBSCRIPTIONS: String(MAX_SUBSCRIPTIONS) },
    { pubsub, fleet },
  );
  reader = await startTestStreamReader(table, pubsub, fleet);
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await reader?.stop();
  for (const other of servers) await other.close();
  await server?.close();
  await table?.drop();
});

function wsClient(
  connectionParams: Record<string, unknown> = {},
  onClose?: (code: number) => void,
  url = server.wsUrl,
) {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    // The client logs a non-lazy socket's close to the console otherwise; tests look at codes.
    onNonLazyError: () => {},
    ...(onClose ? { on: { closed: (event) => onClose((event as { code: number }).code) } } : {}),
  });
  clients.push(client);
  return client;
}

const once = (client: Client, query: string, variables: Record<string, unknown> = {}) =>
  new Promise<ExecutionResult>((resolve, reject) => {
    let result: ExecutionResult | undefined;
    client.subscribe(
      { query, variables },
      {
        next: (value) => (result = value as ExecutionResult),
        error: reject,
        complete: () => resolve(result!),
      },
    );
  });

/** Everything a subscription sends until it ends: results, and the errors of an `error` message. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: ExecutionResult[] = [];
  const errors: unknown[] = [];
  let ended = false;
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => results.push(value as ExecutionResult),
      error: (error) => {
        errors.push(error);
        ended = true;
      },
      complete: () => {
        ended = true;
      },
    },
  );
  return { results, errors, stop, ended: () => ended };
}

/** A bare upgrade request: the status and Retry-After of a refused one, 101 for a socket. */
function upgrade(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
      socket.terminate();
    });
    socket.once('open', () => {
      resolve({ status: 101, retryAfter: undefined });
      socket.close();
    });
    // Also after a refusal, when terminate() aborts the handshake: the promise is settled then.
    socket.once('error', reject);
  });
}

async function metricsOf(target: HttpTestServer): Promise<string> {
  return (await fetch(`${target.origin}/metrics`)).text();
}

/** A sample's value on /metrics, 0 when the series does not exist yet. */
function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const STOCK = 'subscription($id: ID!) { stockChanged(productId: $id) { id stock } }';

const restock = (productId: string, quantity: number) =>
  restockOverHttp(server.url, productId, quantity);

describe('graphql-ws on /graphql', () => {
  it('answers queries, with the viewer from connectionParams', async () => {
    const categories = await once(wsClient(), '{ categories { slug } }');
    expect(categories.data?.categories).toHaveLength(2);
    const token = await signDevToken(TEST_JWT_SECRET, { sub: 'ws-customer' });
    const me = await once(wsClient({ authorization: `Bearer ${token}` }), '{ me { id } }');
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({ me: null });
    const anonymous = await once(wsClient(), '{ me { id } }');
    expect(anonymous.errors?.[0]?.message).toMatch(/not authorized|authentication/i);
  });

  it('closes the socket with 4403 when the token is refused', async () => {
    let code: number | undefined;
    const client = wsClient({ authorization: 'Bearer not-a-jwt' }, (closed) => {
      code = closed;
    });
    await expect(once(client, '{ categories { slug } }')).rejects.toBeDefined();
    expect(code).toBe(4403);
  });

  it("applies the HTTP path's query limits", async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: categories { slug }`).join(' ');
    // graphql-ws sends refused operations as an `error` message: the sink's error, not a result.
    const refused = await once(wsClient(), `{ ${aliases} }`).then(
      () => [],
      (errors: Array<{ message: string }>) => errors,
    );
    expect(refused.map((error) => error.message).join()).toMatch(/aliases limit of 15 exceeded/i);
  });

  it('delivers stockChanged over the graphql-ws client and over Apollo GraphQLWsLink', async () => {
    const product = catalog.products[5]!;
    const productId = encodeGlobalID('Product', product.id);
    const seen: number[] = [];
    wsClient().subscribe(
      {
        query: 'subscription($id: ID!) { stockChanged(productId: $id) { id stock } }',
        variables: { id: productId },
      },
      {
        next: (value) =>
          seen.push((value.data as { stockChanged: { stock: number } }).stockChanged.stock),
        error: () => {},
        complete: () => {},
      },
    );
    const apollo = new ApolloClient({
      link: new GraphQLWsLink(wsClient()),
      cache: new InMemoryCache(),
    });
    const viaApollo: number[] = [];
    const subscription = apollo
      .subscribe<{ stockChanged: { stock: number } }>({
        query: gql`subscription Stock($id: ID!) { stockChanged(productId: $id) { id stock } }`,
        variables: { id: productId },
      })
      .subscribe({
        next: (result) => result.data && viaApollo.push(result.data.stockChanged.stock),
      });
    // Both subscriptions are registered once a restock's event reaches them.
    const before = catalog.stock.get(product.id) ?? 0;
    let added = 0;
    await until(
      async () => {
        added += 1;
        await restock(productId, 1);
        return seen.length > 0 && viaApollo.length > 0;
      },
      15_000,
      'stockChanged over both clients',
      300,
    );
    subscription.unsubscribe();
    expect(seen.at(-1)).toBeGreaterThan(before);
    expect(seen.at(-1)).toBeLessThanOrEqual(before + added);
    expect(viaApollo.at(-1)).toBeGreaterThan(before);
  });
});

describe('graphql-ws: orderStatusChanged', () => {
  it("delivers an order's status to its owner and refuses another customer's token with Order not found", async () => {
    const owner = await signDevToken(TEST_JWT_SECRET, { sub: 'ws-owner' });
    const other = await signDevToken(TEST_JWT_SECRET, { sub: 'ws-other' });
    const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'ws-admin', admin: true });
    const placed = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
      body: JSON.stringify({
        query:
          'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { ... on PlaceOrderSuccess { order { id } } } }',
        variables: {
          i: {
            idempotencyKey: 'ws-order',
            lines: [{ productId: encodeGlobalID('Product', catalog.products[3]!.id), quantity: 1 }],
          },
        },
      }),
    });
    const orderId = ((await placed.json()) as { data: { placeOrder: { order: { id: string } } } })
      .data.placeOrder.order.id;
    const query = 'subscription($o: ID!) { orderStatusChanged(orderId: $o) { id status } }';
    const mine = collect(wsClient({ authorization: `Bearer ${owner}` }), query, { o: orderId });
    const theirs = collect(wsClient({ authorization: `Bearer ${other}` }), query, { o: orderId });
    // The refusal comes first (no stream needed); by then the owner's subscription has read the
    // order too, or is about to: set the status until its event arrives.
    await until(() => theirs.ended(), 10_000, "the other customer's refusal");
    await until(
      async () => {
        await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: JSON.stringify({
            query: 'mutation($o: ID!) { setOrderStatus(orderId: $o, status: PAID) { __typename } }',
            variables: { o: orderId },
          }),
        });
        return mine.results.length > 0;
      },
      15_000,
      'PAID reaches the owner',
      500,
    );
    mine.stop();
    expect(mine.results[0]).toEqual({
      data: { orderStatusChanged: { id: orderId, status: 'PAID' } },
    });
    const refusal = JSON.stringify([...theirs.results, ...theirs.errors]);
    expect(refusal).toMatch(/Order not found/);
    expect(refusal).not.toMatch(/PENDING|PAID/);
  });
});

describe('graphql-ws: a cap on subscriptions per socket', () => {
  it('refuses a subscription past WS_MAX_SUBSCRIPTIONS with TOO_MANY_SUBSCRIPTIONS, keeps the socket open, and frees a place when one completes', async () => {
    const client = wsClient();
    const product = catalog.products[7]!;
    const variables = { id: encodeGlobalID('Product', product.id) };
    const open = Array.from({ length: MAX_SUBSCRIPTIONS }, () => collect(client, STOCK, variables));
    const extra = collect(client, STOCK, variables);
    await until(() => extra.ended(), 5_000, 'the extra subscription is refused');
    expect(extra.errors[0]).toMatchObject([{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }]);
    expect(JSON.stringify(extra.errors)).toContain(`At most ${MAX_SUBSCRIPTIONS} subscriptions`);
    // The socket still serves: a query, and the open subscriptions were not ended.
    expect((await once(client, '{ categories { slug } }')).data?.categories).toHaveLength(2);
    expect(open.some((subscription) => subscription.ended())).toBe(false);

    // One completes: a new one is accepted, and it gets events.
    open[0]!.stop();
    const replacement = collect(client, STOCK, variables);
    await until(
      async () => {
        await restock(variables.id, 1);
        return replacement.results.length > 0 || replacement.ended();
      },
      15_000,
      'the replacement subscription gets an event',
      300,
    );
    expect(replacement.errors).toEqual([]);
    expect(replacement.results[0]?.data).toMatchObject({ stockChanged: { id: variables.id } });
  });
});

describe('graphql-ws: metrics', () => {
  it('counts operations over a socket in graphql_requests_total as HTTP does, and shows the open sockets', async () => {
    const series = (type: string, name: string, outcome: string) =>
      `graphql_requests_total{operation_type="${type}",operation_name="${name}",outcome="${outcome}"}`;
    const before = await metricsOf(server);
    const client = wsClient();
    expect((await once(client, 'query WsCounted { categories { slug } }')).errors).toBeUndefined();
    const refused = await once(client, 'query WsCountedMe { me { id } }');
    expect(refused.errors).toBeDefined();
    // The same operation over HTTP lands in the same series.
    await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query WsCounted { categories { slug } }' }),
    });
    const during = await metricsOf(server);
    expect(sample(during, series('query', 'WsCounted', 'ok'))).toBe(
      sample(before, series('query', 'WsCounted', 'ok')) + 2,
    );
    expect(sample(during, series('query', 'WsCountedMe', 'error'))).toBe(
      sample(before, series('query', 'WsCountedMe', 'error')) + 1,
    );
    // A subscription counts once, when it starts, as over SSE.
    const subscription = collect(
      client,
      'subscription WsCountedStock($id: ID!) { stockChanged(productId: $id) { id } }',
      {
        id: encodeGlobalID('Product', catalog.products[2]!.id),
      },
    );
    const stockSeries = series('subscription', 'WsCountedStock', 'ok');
    await until(
      async () => sample(await metricsOf(server), stockSeries) === sample(before, stockSeries) + 1,
      5_000,
      'the subscription in graphql_requests_total',
    );
    subscription.stop();
    const openNow = sample(during, 'graphql_ws_connections_open');
    expect(openNow).toBe(server.sockets.open());
    expect(openNow).toBeGreaterThanOrEqual(1);

    await client.dispose();
    await until(
      async () => sample(await metricsOf(server), 'graphql_ws_connections_open') === openNow - 1,
      5_000,
      'the gauge drops when the socket closes',
    );
  });
});

describe('graphql-ws under overload', () => {
  const FAR = Number.POSITIVE_INFINITY;

  it('refuses the upgrade with 503 and Retry-After, answers an operation on an open socket with SERVICE_UNAVAILABLE, and serves again once the queue drains', async () => {
    // The only slot held and the queue full: the state that sheds, exactly (as overload.test.ts).
    const admission = new Admission({ maxInFlight: 1, maxQueue: 1 });
    const overloaded = await startHttpServer(table, {}, { admission });
    servers.push(overloaded);
    const client = wsClient({}, undefined, overloaded.wsUrl);
    expect((await once(client, '{ categories { slug } }')).data?.categories).toHaveLength(2);

    admission.acquire(FAR, 'new');
    const waiting = admission.acquire(FAR, 'new');
    const shedBefore = admission.stats().shed;
    const refused = await upgrade(overloaded.wsUrl);
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    const onOpenSocket = await once(client, '{ categories { slug } }').then(
      () => [],
      (errors: Array<{ message: string; extensions?: Record<string, unknown> }>) => errors,
    );
    expect(onOpenSocket[0]).toMatchObject({
      message: SHED_MESSAGE,
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(Number(onOpenSocket[0]?.extensions?.retryAfterSeconds)).toBeGreaterThanOrEqual(1);
    // Both were counted as shed, as HTTP's are; the socket itself stayed open.
    expect(admission.stats().shed).toBe(shedBefore + 2);
    expect(overloaded.sockets.open()).toBe(1);

    admission.release(1);
    await waiting;
    admission.release(1);
    expect((await upgrade(overloaded.wsUrl)).status).toBe(101);
    expect((await once(client, '{ categories { slug } }')).data?.categories).toHaveLength(2);
  });
});

describe('graphql-ws at shutdown', () => {
  it('closes an open subscription with 1001 and refuses a new upgrade with 503', async () => {
    const stopping = new AbortController();
    const stopped = await startHttpServer(table, {}, { shutdown: stopping.signal });
    servers.push(stopped);
    let code: number | undefined;
    const client = wsClient(
      {},
      (closed) => {
        code = closed;
      },
      stopped.wsUrl,
    );
    const subscription = collect(client, STOCK, {
      id: encodeGlobalID('Product', catalog.products[1]!.id),
    });
    // A query answered on the same socket: the connection is acknowledged and serving.
    expect((await once(client, '{ categories { slug } }')).errors).toBeUndefined();
    expect(stopped.sockets.open()).toBe(1);

    // The shutdown's steps, as src/app/run-gateway.ts takes them, with the HTTP server still up.
    stopping.abort();
    await stopped.sockets.close();
    await until(() => code !== undefined, 5_000, 'the socket closes');
    expect(code).toBe(1001);
    expect(subscription.ended()).toBe(true);
    expect(await upgrade(stopped.wsUrl)).toEqual({ status: 503, retryAfter: '1' });
    // HTTP is not what refused it: the server still answers /health.
    expect((await fetch(`${stopped.origin}/health`)).status).toBe(200);
  });
});
