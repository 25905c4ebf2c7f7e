import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { createLogger } from '../../src/app/logger.js';
import { createLiveEvents, createStreamsClient } from '../../src/events/live.js';
import type { ShopPubSub } from '../../src/events/pubsub.js';
import type { StreamReader } from '../../src/events/stream-reader.js';
import type { Fleet } from '../../src/fleet/fleet.js';
import type { TestTable } from './dynamo.js';

/**
 * The table's stream read onto the fleet's bus and from there into `pubsub` and the fleet's
 * cache, as the server does, polled often so that tests see an event soon after its write.
 * Started; stop it with `reader.stop()`.
 */
export async function startTestStreamReader(
  table: TestTable,
  pubsub: ShopPubSub,
  fleet: Fleet,
): Promise<StreamReader> {
  await fleet.start(pubsub);
  const reader = createLiveEvents({
    streams: testStreamsClient(table),
    dynamo: table.dynamo.client,
    tableName: table.tableName,
    logger: createLogger('silent'),
    bus: fleet.bus,
    pollIntervalMs: 50,
  });
  await reader.start();
  return reader;
}

/** A DynamoDB Streams client for the test run's DynamoDB Local. */
export function testStreamsClient(table: Pick<TestTable, 'endpoint'>): DynamoDBStreamsClient {
  return createStreamsClient({
    endpoint: table.endpoint,
    region: 'us-east-1',
    localCredentials: true,
  });
}

/** The table's stream and its shards, as DescribeStream lists them (DynamoDB Local: one). */
export async function describeTestStream(
  table: TestTable,
  streams: DynamoDBStreamsClient,
): Promise<{ streamArn: string | undefined; shards: Shard[] }> {
  const { Table } = await table.dynamo.client.send(
    new DescribeTableCommand({ TableName: table.tableName }),
  );
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }),
  );
  return { streamArn: Table?.LatestStreamArn, shards: StreamDescription?.Shards ?? [] };
}
