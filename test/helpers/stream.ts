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
    streams: createStreamsClient({
      endpoint: table.endpoint,
      region: 'us-east-1',
      localCredentials: true,
    }),
    dynamo: table.dynamo.client,
    tableName: table.tableName,
    logger: createLogger('silent'),
    bus: fleet.bus,
    pollIntervalMs: 50,
  });
  await reader.start();
  return reader;
}
