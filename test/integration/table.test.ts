import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanRefusedError } from '../../src/errors/store.js';

import { ensureTable } from '../../src/store/table.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('table');
});
afterAll(() => table.drop());

describe('the table definition on DynamoDB Local', () => {
  it('has the generic keys, both GSIs, a NEW_AND_OLD_IMAGES stream and TTL on expiresAt', async () => {
    const { Table } = await table.dynamo.client.send(
      new DescribeTableCommand({ TableName: table.tableName }),
    );
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'GSI1',
      'GSI2',
    ]);
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const ttl = await table.dynamo.client.send(
      new DescribeTimeToLiveCommand({ TableName: table.tableName }),
    );
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('ensureTable is idempotent: a second call creates nothing and keeps the data', async () => {
    await table.dynamo.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { PK: 'X', SK: 'Y', entity: 'Probe' } }),
    );
    expect(await ensureTable(table.dynamo.client, table.tableName)).toBe(false);
    const { Table } = await table.dynamo.client.send(
      new DescribeTableCommand({ TableName: table.tableName }),
    );
    expect(Table?.ItemCount).toBe(1);
  });

  it('the client that resolvers reach refuses Scan before it reaches the wire', async () => {
    const before = table.dynamo.wire.total();
    await expect(
      table.dynamo.doc.send(new ScanCommand({ TableName: table.tableName })),
    ).rejects.toBeInstanceOf(ScanRefusedError);
    expect(table.dynamo.wire.total()).toBe(before);
  });
});
