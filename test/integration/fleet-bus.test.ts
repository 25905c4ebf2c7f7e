import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import type { ShopEvent } from '../../src/events/events.js';
import { createShopPubSub } from '../../src/events/pubsub.js';
import { createStreamHandler, type DynamoDBStreamEvent } from '../../src/events/stream-handler.js';
import type { BusMessage } from '../../src/fleet/bus.js';
import { createFleet, type Fleet } from '../../src/fleet/fleet.js';
import { inventoryKey } from '../../src/models/inventory.js';
import { createTestApp, expectData, type TestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { type Catalog, loadCatalog } from '../helpers/fixtures.js';
import { operation } from '../helpers/graphql.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { describeTestStream, testStreamsClient } from '../helpers/stream.js';
import { until } from '../helpers/until.js';

/**
 * The fleet's shared parts on a real redis-server, with three apps in this process standing for
 * three replicas: each has its own fleet (connections, cache, bus reader) on the same Redis and
 * the same DynamoDB Local table.
 */

let table: TestTable;
let catalog: Catalog;
let redis: TestRedis;
const logger = createLogger('silent');
const replicas: Array<{ t: TestApp; fleet: Fleet; messages: BusMessage[] }> = [];

const STOCK = 'query Stock($id: ID!) { product(id: $id) { id stock } }';

function fleetConfig() {
  return loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: `{t${Date.now()}}:` });
}

let sharedConfig: ReturnType<typeof loadConfig>;

beforeAll(async () => {
  table = await createTestTable('fleet-bus');
  catalog = await loadCatalog(table);
  redis = await startTestRedis();
  sharedConfig = fleetConfig();
  const config = sharedConfig;
  for (let i = 0; i < 3; i++) {
    const fleet = createFleet(config, logger);
    const pubsub = createShopPubSub();
    const t = createTestApp(
      table,
      {
        REDIS_URL: redis.url,
        RATE_LIMIT_MUTATIONS: '10',
        RATE_LIMIT_WINDOW: '1m',
        RESPONSE_CACHE_TTL_SECONDS: '300',
      },
      { pubsub, fleet },
    );
    const messages: BusMessage[] = [];
    await fleet.start(pubsub);
    // A second listener on the same messages, for the counts below.
    const events = pubsub.subscribe('event');
    void (async () => {
      for await (const event of events) messages.push({ kind: 'events', events: [event] });
    })();
    replicas.push({ t, fleet, messages });
  }
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.fleet.stop()));
  await redis.stop();
  await table.drop();
});

describe('rate limits across replicas', () => {
  it('lets exactly 10 of 30 mutations through for one viewer, sent at once round-robin to 3 replicas', async () => {
    const token = await replicas[0]!.t.token('fleet-rate');
    const unknown = encodeGlobalID('Product', 'no-such-product');
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        replicas[i % 3]!.t.gql(
          operation('AddToCart'),
          { productId: unknown, quantity: 1 },
          { token },
        ),
      ),
    );
    const limited = replies.filter(
      (reply) => reply.errors?.[0]?.extensions?.code === 'RATE_LIMITED',
    );
    const through = replies.filter((reply) => reply.data?.addToCart);
    expect(through).toHaveLength(10);
    expect(limited).toHaveLength(20);
    expect(limited.every((reply) => reply.status === 429)).toBe(true);
    // Another viewer has a bucket of their own.
    const other = await replicas[1]!.t.gql(
      operation('AddToCart'),
      { productId: unknown, quantity: 1 },
      { token: await replicas[0]!.t.token('fleet-rate-other') },
    );
    expect(other.data?.addToCart).toBeTruthy();
  });
});

describe('cache invalidation from a write on any replica', () => {
  it('serves the new stock on every replica right after a restock through one of them', async () => {
    const product = catalog.products[0]!;
    const id = encodeGlobalID('Product', product.id);
    const stockOn = async (replica: TestApp) =>
      (expectData(await replica.gql(STOCK, { id })) as { product: { stock: number } }).product
        .stock;
    const before = await stockOn(replicas[0]!.t);
    for (const replica of replicas.slice(1)) expect(await stockOn(replica.t)).toBe(before);
    // Cached on every replica: a write straight to the table (no stream reader here) is not seen.
    await table.dynamo.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: inventoryKey(product.id),
        UpdateExpression: 'SET stock = stock + :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    for (const replica of replicas) expect(await stockOn(replica.t)).toBe(before);

    const admin = await replicas[0]!.t.token('fleet-admin', true);
    const restocked = expectData(
      await replicas[0]!.t.gql(
        operation('Restock'),
        { productId: id, quantity: 5 },
        { token: admin },
      ),
    ) as { restock: { product: { stock: number } } };
    expect(restocked.restock.product.stock).toBe(before + 6);
    const waits: number[] = [];
    for (const replica of replicas) {
      const started = performance.now();
      waits.push(
        (await until(async () => (await stockOn(replica.t)) === before + 6, 1_000)) - started,
      );
    }
    console.info(
      `fleet-bus: invalidation reached 3 replicas in ${waits.map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
  });
});

describe('the bus', () => {
  const stock = (productId: string, value: number): ShopEvent => ({
    type: 'stock',
    productId,
    stock: value,
    item: { productId, stock: value },
  });

  it('hands every replica each record once, however often it is published', async () => {
    const counts = replicas.map((replica) => replica.messages.length);
    const records = Array.from({ length: 5 }, (_, i) => ({
      eventId: `dedupe-${Date.now()}-${i}`,
      events: [stock('dedupe', i)],
    }));
    await replicas[0]!.fleet.bus.publishRecords(records);
    // A second reader after a hand-over, and a retried Lambda batch, publish them again.
    await replicas[1]!.fleet.bus.publishRecords(records);
    await replicas[2]!.fleet.bus.publishRecords(records.slice(2));
    for (const [i, replica] of replicas.entries()) {
      await until(() => replica.messages.length >= counts[i]! + 5, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const got = replica.messages
        .slice(counts[i])
        .flatMap((message) => (message.kind === 'events' ? message.events : []))
        .filter((event) => event.type === 'stock' && event.productId === 'dedupe');
      expect(got.map((event) => (event as { stock: number }).stock)).toEqual([0, 1, 2, 3, 4]);
    }
    expect(replicas[1]!.fleet.bus.stats().duplicatesDropped).toBeGreaterThanOrEqual(5);
  });
});

describe('the stream function', () => {
  it('publishes real stream records from DynamoDB Local once, and reports the first unpublished record when Redis is down', async () => {
    const streams = testStreamsClient(table);
    const { streamArn, shards } = await describeTestStream(table, streams);
    const shard = shards.find((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard?.ShardId,
        ShardIteratorType: 'LATEST',
      }),
    );
    const product = catalog.products[1]!;
    for (const value of [101, 102, 103]) {
      await table.dynamo.doc.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: inventoryKey(product.id),
          UpdateExpression: 'SET stock = :v',
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    }
    let iterator = ShardIterator;
    const read: NonNullable<DynamoDBStreamEvent['Records']> = [];
    await until(async () => {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      iterator = page.NextShardIterator;
      for (const record of page.Records ?? []) {
        // As the event source mapping hands them to Lambda.
        read.push({
          eventID: record.eventID,
          eventName: record.eventName,
          eventSourceARN: streamArn,
          dynamodb: record.dynamodb as DynamoDBStreamEvent['Records'][number]['dynamodb'],
        });
      }
      return read.length >= 3;
    }, 5_000);
    streams.destroy();

    const stockSeen = () =>
      replicas[2]!.messages
        .flatMap((message) => (message.kind === 'events' ? message.events : []))
        .filter((event) => event.type === 'stock' && event.productId === product.id)
        .map((event) => (event as { stock: number }).stock);
    // A Lambda's own fleet on the same Redis and prefix.
    const lambda = createFleet(sharedConfig, logger, { mode: 'pull' });
    await lambda.ready;
    const handle = createStreamHandler(lambda.bus, logger);
    expect(await handle({ Records: read })).toEqual({ batchItemFailures: [] });
    await until(() => stockSeen().length >= 3, 5_000);
    // Lambda retries the whole batch: nothing is delivered twice.
    expect(await handle({ Records: read })).toEqual({ batchItemFailures: [] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stockSeen()).toEqual([101, 102, 103]);

    await redis.stop();
    try {
      await until(() => replicas[0]!.fleet.status().redis === 'down', 5_000);
      const failed = await handle({ Records: read });
      expect(failed.batchItemFailures).toEqual([
        { itemIdentifier: read[0]!.dynamodb?.SequenceNumber },
      ]);
    } finally {
      await redis.start();
    }
    await until(() => replicas.every((replica) => replica.fleet.status().redis === 'up'), 10_000);
    await until(() => lambda.status().redis === 'up', 10_000);
    expect(await handle({ Records: read })).toEqual({ batchItemFailures: [] });
    await lambda.stop();
  });
});

describe('a Redis outage', () => {
  const ready = async (replica: TestApp) => {
    const response = await replica.app.fetch('http://yoga/ready');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const metric = async (replica: TestApp, name: string) => {
    const text = await (await replica.app.fetch('http://yoga/metrics')).text();
    const line = text.split('\n').find((row) => row.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('keeps queries and mutations working, says degraded in /ready and /metrics, and recovers when Redis is back', async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    expect(await ready(a.t)).toMatchObject({ status: 200, body: { status: 'ready', redis: 'up' } });
    expect(await metric(a.t, 'redis_up')).toBe(1);
    expect(await metric(a.t, 'response_cache_bypassed')).toBe(0);
    expect(await metric(a.t, 'bus_messages_delivered_total')).toBeGreaterThan(0);
    const token = await a.t.token('fleet-outage');
    const product = catalog.products[2]!;
    const id = encodeGlobalID('Product', product.id);

    await redis.stop();
    await until(
      () => a.fleet.status().redis === 'down' && b.fleet.status().redis === 'down',
      5_000,
    );
    const during = await ready(a.t);
    expect(during).toMatchObject({
      status: 200,
      body: { status: 'degraded', redis: 'down', responseCache: 'bypassed' },
    });
    expect(await metric(a.t, 'redis_up')).toBe(0);
    expect(await metric(a.t, 'response_cache_bypassed')).toBe(1);
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      expect(expectData(await a.t.gql(STOCK, { id }))).toMatchObject({ product: { id } });
      const added = expectData(
        await b.t.gql(operation('AddToCart'), { productId: id, quantity: 1 }, { token }),
      ) as { addToCart: { __typename: string } };
      expect(added.addToCart.__typename).toBe('AddToCartSuccess');
    }
    // Nothing waits on the dead Redis for long: 10 requests, well under a command timeout each.
    expect(performance.now() - started).toBeLessThan(5_000);

    await redis.start();
    await until(() => replicas.every((replica) => replica.fleet.status().bus.up), 10_000);
    expect(await ready(a.t)).toMatchObject({ status: 200, body: { status: 'ready', redis: 'up' } });
    // Messages flow again: a record published now reaches another replica.
    const eventId = `after-outage-${Date.now()}`;
    const seen = b.messages.length;
    await a.fleet.bus.publishRecords([
      { eventId, events: [{ type: 'stock', productId: 'after', stock: 7, item: {} }] },
    ]);
    await until(() => b.messages.length > seen, 5_000);
  });
});
