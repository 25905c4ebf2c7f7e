import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanRefusedError } from '../errors/store.js';

/**
 * Makes the client refuse Scan. The document client shares this middleware stack, so it covers
 * both; every client the gateway builds goes through createDynamo, which installs it.
 */
export function refuseScan(client: DynamoDBClient): void {
  client.middlewareStack.add(
    // Decided once per command, when its handler is built: every other command goes straight on.
    (next, context) =>
      context.commandName === 'ScanCommand' ? () => Promise.reject(new ScanRefusedError()) : next,
    { step: 'initialize', name: 'refuseScan', priority: 'high' },
  );
}
