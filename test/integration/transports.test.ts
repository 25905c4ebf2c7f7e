/**
 * Subscriptions over each HTTP transport a client library uses, on a real server (node:http)
 * fed by the table's stream: graphql-sse in both modes (distinct connections: yoga's SSE; single
 * connection: reservations), and Apollo Client's multipart subscriptions over HttpLink.
 */

import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import type { StreamReader } from '../../src/events/stream-reader.js';
import { createFleet } from '../../src/fleet/fleet.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { type HttpTestServer, restockOverHttp, startHttpServer } from '../helpers/http-server.js';
import { startTestStreamReader } from '../helpers/stream.js';
import { until } from '../helpers/until.js';

let table: TestTable;
let catalog: Catalog;
let server: HttpTestServer;
let reader: StreamReader;
const shutdown = new AbortController();
const disposers: Array<() => void> = [];

beforeAll(async () => {
  table = await createTestTable('transports');
  catalog = await loadCatalog(table);
  const pubsub = createShopPubSub();
  const fleet = createFleet({ redis: undefined }, createLogger('silent'));
  server = await startHttpServer(table, {}, { pubsub, fleet, shutdown: shutdown.signal });
  reader = await startTestStreamReader(table, pubsub, fleet);
});

afterAll(async () => {
  for (const dispose of disposers) dispose();
  await reader?.stop();
  await server?.close();
  await table?.drop();
});

const STOCK = 'subscription Stock($id: ID!) { stockChanged(productId: $id) { id stock } }';

const restock = (productId: string, quantity: number) =>
  restockOverHttp(server.url, productId, quantity);

/** Restocks until every list has an event (each subscription is registered by then). */
async function restockUntilSeen(productId: string, lists: number[][], what: string) {
  let added = 0;
  await until(
    async () => {
      added += 1;
      await restock(productId, 1);
      return lists.every((list) => list.length > 0);
    },
    15_000,
    what,
    300,
  );
  return added;
}

describe('graphql-sse on /graphql', () => {
  it('delivers stockChanged in distinct-connections and in single-connection mode', async () => {
    const product = catalog.products[3]!;
    const id = encodeGlobalID('Product', product.id);
    const byMode: Record<'distinct' | 'single', number[]> = { distinct: [], single: [] };
    for (const mode of ['distinct', 'single'] as const) {
      const client = createSseClient({
        url: server.url,
        singleConnection: mode === 'single',
        retryAttempts: 0,
      });
      const stop = client.subscribe(
        { query: STOCK, variables: { id } },
        {
          next: (value) =>
            byMode[mode].push(
              (value.data as { stockChanged: { stock: number } }).stockChanged.stock,
            ),
          error: () => {},
          complete: () => {},
        },
      );
      disposers.push(stop, () => client.dispose());
    }
    const before = catalog.stock.get(product.id) ?? 0;
    const added = await restockUntilSeen(id, [byMode.distinct, byMode.single], 'both SSE modes');
    for (const seen of Object.values(byMode)) {
      expect(seen.at(-1)).toBeGreaterThan(before);
      expect(seen.at(-1)).toBeLessThanOrEqual(before + added);
    }
  });

  it('single-connection reservations: a PUT with no body gets a server token (not 411), and requests without a token stay yoga’s', async () => {
    const put = await fetch(server.url, {
      method: 'PUT',
      headers: { [STREAM_TOKEN]: 'chosen-by-the-client' },
    });
    expect(put.status).toBe(201);
    const token = await put.text();
    // The server's own UUID, never the client's choice.
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // An operation for the reservation is accepted (202), then the stream carries its result.
    const accepted = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [STREAM_TOKEN]: token },
      body: JSON.stringify({ query: '{ categories { slug } }', extensions: { operationId: 'q1' } }),
    });
    expect(accepted.status).toBe(202);
    const stream = await fetch(`${server.url}?token=${token}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await readUntil(stream, /"slug"/);
    expect(text).toMatch(/"id":"q1"/);
    // No token: an ordinary GraphQL request, and an unknown token's POST is the plugin's 404.
    const plain = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ categories { slug } }' }),
    });
    expect(plain.status).toBe(200);
    expect((await plain.json()).data.categories.length).toBeGreaterThan(0);
    const unknown = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [STREAM_TOKEN]: 'no-such-stream' },
      body: JSON.stringify({ query: '{ categories { slug } }' }),
    });
    expect(unknown.status).toBe(404);
  });
});

describe('multipart subscriptions (Apollo Client over HttpLink)', () => {
  it('delivers stockChanged with the Accept Apollo sends', async () => {
    const product = catalog.products[4]!;
    const id = encodeGlobalID('Product', product.id);
    const apollo = new ApolloClient({
      link: new HttpLink({ uri: server.url }),
      cache: new InMemoryCache(),
    });
    const seen: number[] = [];
    const errors: unknown[] = [];
    const subscription = apollo
      .subscribe<{ stockChanged: { stock: number } }>({ query: gql(STOCK), variables: { id } })
      .subscribe({
        next: (result) => {
          if (result.error) errors.push(result.error);
          if (result.data) seen.push(result.data.stockChanged.stock);
        },
        error: (error) => errors.push(error),
      });
    disposers.push(() => subscription.unsubscribe());
    const before = catalog.stock.get(product.id) ?? 0;
    const added = await restockUntilSeen(id, [seen], 'stockChanged over multipart');
    subscription.unsubscribe();
    expect(errors).toEqual([]);
    expect(seen.at(-1)).toBeGreaterThan(before);
    expect(seen.at(-1)).toBeLessThanOrEqual(before + added);
  });

  it('answers the raw request with multipart parts, and a JSON-only Accept with a 406 that names what to send', async () => {
    const body = JSON.stringify({
      query: STOCK,
      variables: { id: encodeGlobalID('Product', catalog.products[4]!.id) },
    });
    const abort = new AbortController();
    const multipart = await fetch(server.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json',
      },
      body,
    });
    expect(multipart.status).toBe(200);
    expect(multipart.headers.get('content-type')).toMatch(
      /^multipart\/mixed; boundary="graphql"; subscriptionSpec="1\.0"/,
    );
    abort.abort();
    const json = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
    expect(json.status).toBe(406);
    const message = (await json.json()).errors[0].message as string;
    expect(message).toMatch(/multipart\/mixed/);
    expect(message).toMatch(/text\/event-stream/);
  });
});

const STREAM_TOKEN = 'x-graphql-event-stream-token';

async function readUntil(response: Response, pattern: RegExp, timeoutMs = 5_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!pattern.test(text) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
      ]);
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
