import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamo, type Dynamo, SETUP_TIMEOUTS } from '../../src/store/client.js';
import { ensureTable } from '../../src/store/table.js';
import { assertLocalEndpoint } from './global-setup.js';

export interface TestTable {
  dynamo: Dynamo;
  tableName: string;
  endpoint: string;
  drop(): Promise<void>;
}

/** A fresh table with a unique name on the run's DynamoDB Local: test files never share data. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = inject('dynamoEndpoint');
  assertLocalEndpoint(endpoint);
  // DynamoDB Local runs transactions one at a time: 200 concurrent orders on a 2-core machine
  // that also runs other test files queue for longer than production's 3 s request timeout.
  // The timeout itself is tested in faults.test.ts, with its own settings.
  const dynamo = createDynamo({
    endpoint,
    region: 'us-east-1',
    localCredentials: true,
    timeouts: SETUP_TIMEOUTS,
  });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(dynamo.client, tableName);
  return {
    dynamo,
    tableName,
    endpoint,
    async drop() {
      await dynamo.client.send(new DeleteTableCommand({ TableName: tableName }));
      dynamo.destroy();
    },
  };
}

export interface WireDelta<T> {
  result: T;
  calls: Record<string, number>;
  total: number;
}

/** The difference of the table's wire counter around `fn`. Only meaningful for one request at a time. */
export async function wireCalls<T>(table: TestTable, fn: () => Promise<T>): Promise<WireDelta<T>> {
  const before = table.dynamo.wire.snapshot();
  const result = await fn();
  return { result, ...table.dynamo.wire.since(before) };
}
