import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamo } from '../../src/store/client.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('sdklog');
  for (let i = 0; i < 5; i++) {
    await table.dynamo.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { PK: 'LOG', SK: `ITEM#${i}`, entity: 'Probe', note: 'x'.repeat(200) },
      }),
    );
  }
});
afterAll(() => table.drop());

/**
 * Counts the SDK's log filter calls: the logger middleware takes the filters from the handler
 * context after the call, so a middleware outside it can wrap them first.
 */
function countLogFilters(client: DynamoDBClient): { input: number; output: number } {
  const counts = { input: 0, output: 0 };
  client.middlewareStack.add(
    (next, context) => (args) => {
      const input = context.inputFilterSensitiveLog;
      const output = context.outputFilterSensitiveLog;
      context.inputFilterSensitiveLog = (value: unknown) => {
        counts.input++;
        return input(value);
      };
      context.outputFilterSensitiveLog = (value: unknown) => {
        counts.output++;
        return output(value);
      };
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'countLogFilters' },
  );
  return counts;
}

const query = (doc: DynamoDBDocumentClient) =>
  doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'LOG' },
    }),
  );

describe("the DynamoDB client's SDK logger", () => {
  it('does not copy inputs and outputs for a log line nobody writes', async () => {
    const dynamo = createDynamo({
      endpoint: table.endpoint,
      region: 'us-east-1',
      localCredentials: true,
    });
    const counts = countLogFilters(dynamo.client);
    const { Items } = await query(dynamo.doc);
    expect(Items).toHaveLength(5);
    expect(counts).toEqual({ input: 0, output: 0 });
    dynamo.destroy();
  });

  it("on the SDK's default logger the same call filters both (what the above would catch)", async () => {
    const client = new DynamoDBClient({
      endpoint: table.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const counts = countLogFilters(client);
    const { Items } = await query(DynamoDBDocumentClient.from(client));
    expect(Items).toHaveLength(5);
    expect(counts).toEqual({ input: 1, output: 1 });
    client.destroy();
  });

  it("passes the SDK's warnings on, and keeps debug and warn callable as the SDK calls them", () => {
    const warnings: string[] = [];
    const dynamo = createDynamo({
      endpoint: table.endpoint,
      region: 'us-east-1',
      localCredentials: true,
      warn: (message) => warnings.push(message),
    });
    const logger = dynamo.client.config.logger;
    logger.debug('not kept');
    logger.warn('socket usage at capacity=256', 'and additional requests are enqueued.');
    expect(warnings).toEqual([
      'socket usage at capacity=256 and additional requests are enqueued.',
    ]);
    expect(logger.info).toBeUndefined();
    expect(logger.error).toBeUndefined();
    dynamo.destroy();
  });
});
