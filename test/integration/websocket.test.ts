/**
 * graphql-ws on /graphql over a real socket: the graphql-ws client and Apollo's GraphQLWsLink,
 * a stockChanged subscription fed by the table's stream, the token from connectionParams, and
 * the HTTP path's limits.
 */
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { type Client, createClient, type ExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/app/logger.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import type { StreamReader } from '../../src/events/stream-reader.js';
import { createFleet } from '../../src/fleet/fleet.js';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { type HttpTestServer, startHttpServer } from '../helpers/http-server.js';
import { startTestStreamReader } from '../helpers/stream.js';
import { until } from '../helpers/until.js';

let table: TestTable;
let catalog: Catalog;
let server: HttpTestServer;
let reader: StreamReader;
const clients: Client[] = [];

beforeAll(async () => {
  table = await createTestTable('websocket');
  catalog = await loadCatalog(table);
  const pubsub = createShopPubSub();
  const fleet = createFleet({ redis: undefined }, createLogger('silent'));
  server = await startHttpServer(table, {}, { pubsub, fleet });
  reader = await startTestStreamReader(table, pubsub, fleet);
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await reader?.stop();
  await server?.close();
  await table?.drop();
});

function wsClient(
  connectionParams: Record<string, unknown> = {},
  onClose?: (code: number) => void,
) {
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
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

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

async function restock(productId: string, quantity: number) {
  const admin = await signDevToken(TEST_JWT_SECRET, { sub: 'ws-admin', admin: true });
  const reply = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({
      query: 'mutation($p: ID!, $q: Int!) { restock(productId: $p, quantity: $q) { __typename } }',
      variables: { p: productId, q: quantity },
    }),
  });
  expect((await reply.json()).data.restock.__typename).toBe('RestockSuccess');
}

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
    const productId = globalId('Product', product.id);
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
