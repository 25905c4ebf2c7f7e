import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../app/logger.js';

/**
 * `GET /ready`: 200 while the table can be described and is active, 503 otherwise (the cause
 * goes to the log, not the client). Yoga's useReadinessCheck matches every request's URL against
 * a URLPattern (a polyfill on Node 20); an exact path is all this endpoint needs.
 */
export function useReadiness(client: DynamoDBClient, tableName: string, logger: Logger): Plugin {
  const check = async () => {
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
      return check().then((ready) =>
        endResponse(new fetchAPI.Response(null, { status: ready ? 200 : 503 })),
      );
    },
  };
}
