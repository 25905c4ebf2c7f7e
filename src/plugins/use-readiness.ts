import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../app/logger.js';
import type { StreamReaderStats } from '../events/stream-reader.js';
import type { FleetStatus } from '../fleet/fleet.js';

/** What /ready reports beyond the table: the fleet's shared parts and the stream reader. */
export interface ReadinessSources {
  fleet: () => FleetStatus;
  streamReader?: () => StreamReaderStats;
}

/**
 * `GET /ready`: 200 while the table can be described and is active, 503 otherwise (the cause
 * goes to the log, not the client). The JSON body says what else works: with Redis away the
 * gateway still serves queries and mutations, so it stays ready, and says `degraded`. Yoga's
 * useReadinessCheck matches every request's URL against a URLPattern (a polyfill on Node 20);
 * an exact path is all this endpoint needs.
 */
export function useReadiness(
  client: DynamoDBClient,
  tableName: string,
  logger: Logger,
  sources: ReadinessSources,
): Plugin {
  const tableActive = async () => {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      return Table?.TableStatus === 'ACTIVE' || Table?.TableStatus === 'UPDATING';
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      return false;
    }
  };
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      return tableActive().then((ready) => {
        const fleet = sources.fleet();
        const degraded = fleet.redis === 'down' || !fleet.bus.up;
        const body = {
          status: !ready ? 'unavailable' : degraded ? 'degraded' : 'ready',
          dynamodb: ready ? 'up' : 'down',
          redis: fleet.redis,
          bus: fleet.bus,
          rateLimits: fleet.rateLimits,
          responseCache: fleet.cacheBypassed ? 'bypassed' : 'on',
          streamReader: sources.streamReader?.() ?? null,
        };
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), {
            status: ready ? 200 : 503,
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          }),
        );
      });
    },
  };
}
