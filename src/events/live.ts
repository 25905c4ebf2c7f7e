import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Cache } from '@graphql-yoga/plugin-response-cache';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Logger } from '../app/logger.js';
import { isCategoryKey } from '../models/category.js';
import { isProductItemKey, productIdOfPartition } from '../models/product.js';
import type { TableKey } from '../models/table-schema.js';
import { eventsFromRecord, type ShopEvent } from './events.js';
import { publishEvent, type ShopPubSub } from './pubsub.js';
import { StreamReader } from './stream-reader.js';

export function createStreamsClient(options: {
  endpoint?: string | undefined;
  region: string;
  localCredentials?: boolean;
}): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.localCredentials
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
    // Bounded like the table's client: a stalled database must not park the reader forever.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    }),
  });
}

/** The stream reader, publishing every record's typed events to the gateway's pubsub. */
export function createLiveEvents(options: {
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  pubsub: ShopPubSub;
  pollIntervalMs?: number;
  maxIdlePollIntervalMs?: number;
}): StreamReader {
  return new StreamReader({
    streams: options.streams,
    dynamo: options.dynamo,
    tableName: options.tableName,
    logger: options.logger,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.maxIdlePollIntervalMs
      ? { maxIdlePollIntervalMs: options.maxIdlePollIntervalMs }
      : {}),
    onRecords: (records) => {
      for (const record of records) {
        for (const event of eventsFromRecord(record)) publishEvent(options.pubsub, event);
      }
    },
  });
}

/**
 * What a change makes stale in the response cache. Stock and order changes name one entity;
 * a product or category change may move it in or out of lists (featured, a category's page,
 * the category list) whose responses do not contain it yet, so every response with that type
 * goes. Those are admin writes: rare next to orders.
 */
export function staleEntities(event: ShopEvent): Array<{ typename: string; id?: string }> {
  switch (event.type) {
    case 'stock':
      return [{ typename: 'Product', id: encodeGlobalID('Product', event.productId) }];
    case 'product':
      return [{ typename: 'Product' }];
    case 'category':
      return [{ typename: 'Category' }];
    case 'order':
      return [];
  }
}

/**
 * The same, from the keys a request of this gateway wrote: its own mutations make cached reads
 * stale at once, without waiting for the stream.
 */
export function staleEntitiesForKeys(
  written: readonly TableKey[],
): Array<{ typename: string; id?: string }> {
  const stale = new Map<string, { typename: string; id?: string }>();
  for (const key of written) {
    if (isCategoryKey(key)) stale.set('Category', { typename: 'Category' });
    const productId = productIdOfPartition(key.PK);
    if (productId === null) continue;
    if (isProductItemKey(key)) stale.set('Product', { typename: 'Product' });
    else {
      const id = encodeGlobalID('Product', productId);
      stale.set(`Product:${id}`, { typename: 'Product', id });
    }
  }
  return [...stale.values()];
}

/** Keeps the response cache fresh from the stream; returns a function that stops it. */
export function invalidateCacheOnEvents(
  pubsub: ShopPubSub,
  cache: Cache,
  logger: Logger,
): () => void {
  const events = pubsub.subscribe('event');
  void (async () => {
    for await (const event of events) {
      const stale = staleEntities(event);
      if (stale.length === 0) continue;
      try {
        await cache.invalidate(stale);
      } catch (error) {
        logger.error({ err: error }, 'response cache invalidation failed');
      }
    }
  })();
  return () => {
    void events.return?.();
  };
}
