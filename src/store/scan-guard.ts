import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Thrown before the wire: no request path may Scan (DESIGN.md "No Scan on any request path"). */
export class ScanRefusedError extends Error {
  override name = 'ScanRefusedError';
  constructor() {
    super(
      'Scan is not allowed: every request path uses GetItem, BatchGetItem, Query or a transaction',
    );
  }
}

/**
 * Makes the client refuse Scan. The document client shares this middleware stack, so it covers
 * both; every client the gateway builds goes through createDynamo, which installs it.
 */
export function refuseScan(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ScanCommand') throw new ScanRefusedError();
      return next(args);
    },
    { step: 'initialize', name: 'refuseScan', priority: 'high' },
  );
}
