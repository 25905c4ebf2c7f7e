import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Logger } from '../app/logger.js';
import type { EventBus, StaleEntity } from '../fleet/bus.js';
import { isCategoryKey } from '../models/category.js';
import { isProductItemKey, productIdOfPartition } from '../models/product.js';
import type { TableKey } from '../models/table-schema.js';
import { sdkLogger } from '../store/sdk-logger.js';
import { eventsFromRecord, type ShopEvent } from './events.js';
import { StreamReader, type StreamReaderOptions } from './stream-reader.js';

export function createStreamsClient(options: {
  endpoint?: string | undefined;
  region: string;
  localCredentials?: boolean;
  warn?: (message: string) => void;
}): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.localCredentials
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
    logger: sdkLogger(options.warn),
    // Bounded like the table's client: a stalled database must not park the reader forever.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    }),
  });
}

/**
 * The stream reader, publishing every record's typed events to the bus. With `leases`, this
 * process reads only the shards whose lease it holds (one reader per shard across the fleet);
 * the bus takes each record once, by its eventID, however often it is re-read.
 */
export function createLiveEvents(options: {
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  bus: EventBus;
  leases?: StreamReaderOptions['leases'];
  pollIntervalMs?: number;
  maxIdlePollIntervalMs?: number;
}): StreamReader {
  return new StreamReader({
    streams: options.streams,
    dynamo: options.dynamo,
    tableName: options.tableName,
    logger: options.logger,
    ...(options.leases ? { leases: options.leases } : {}),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.maxIdlePollIntervalMs
      ? { maxIdlePollIntervalMs: options.maxIdlePollIntervalMs }
      : {}),
    // Resolves once the bus holds them; the reader re-sends them until it does.
    onRecords: (records) =>
      options.bus.publishRecords(
        records.map((record, index) => ({
          eventId: record.eventID ?? `${record.dynamodb?.SequenceNumber ?? 'unknown'}:${index}`,
          events: readableEvents(record, options.logger),
        })),
      ),
  });
}

/** A record that cannot be read never will be: logged and passed over, not retried forever. */
function readableEvents(record: StreamRecord, logger: Logger): ShopEvent[] {
  try {
    return eventsFromRecord(record);
  } catch (error) {
    logger.error({ err: error, eventID: record.eventID }, 'unreadable stream record skipped');
    return [];
  }
}

/**
 * What a change makes stale in the response cache. Stock and order changes name one entity;
 * a product or category change may move it in or out of lists (featured, a category's page,
 * the category list) whose responses do not contain it yet, so every response with that type
 * goes. Those are admin writes: rare next to orders.
 */
export function staleEntities(event: ShopEvent): StaleEntity[] {
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
export function staleEntitiesForKeys(written: readonly TableKey[]): StaleEntity[] {
  const stale = new Map<string, StaleEntity>();
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
