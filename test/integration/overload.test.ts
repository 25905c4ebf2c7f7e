import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHED_MESSAGE } from '../../src/errors/to-graphql.js';
import { customerItem, customerPartition } from '../../src/models/customer.js';
import { inventoryItem } from '../../src/models/inventory.js';
import { productItem } from '../../src/models/product.js';
import { Admission } from '../../src/store/admission.js';
import { createTestApp } from '../helpers/app.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { aCustomer, aProduct, putItems } from '../helpers/fixtures.js';

/**
 * Shedding, seen from a client: the app on DynamoDB Local with an admission whose slots are
 * held (as a busy process's would be), so that the state that sheds is exact, not a race.
 */
let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('overload');
});
afterAll(() => table.drop());

const FAR = Number.POSITIVE_INFINITY;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename } }`;

describe('shedding before the work starts', () => {
  it('a full queue refuses a request before parsing it: 503, Retry-After, no DynamoDB call; /health still answers', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 1 });
    admission.acquire(FAR, 'new'); // the only slot, held
    const waiting = admission.acquire(FAR, 'new'); // the queue, full
    const t = createTestApp(table, {}, { admission });
    const { result, total } = await t.wireCalls(() => t.gql('query { categories { slug } }'));
    expect(result.status).toBe(503);
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(result.errors?.[0]).toMatchObject({
      message: SHED_MESSAGE,
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(total).toBe(0);
    expect((await t.app.fetch('http://yoga/health')).status).toBe(200);
    expect(admission.stats().shed).toBe(1);
    // What an operator sees of it on /metrics.
    const metrics = await (await t.app.fetch('http://yoga/metrics')).text();
    expect(metrics).toMatch(/^dynamodb_calls_shed_total 1$/m);
    expect(metrics).toMatch(/^dynamodb_calls_in_flight 1$/m);
    expect(metrics).toMatch(/^dynamodb_calls_queued 1$/m);
    admission.release(1);
    await waiting;
    const after = await (await t.app.fetch('http://yoga/metrics')).text();
    expect(after).toMatch(/^dynamodb_calls_queued 0$/m);
    expect(after).toMatch(/^dynamodb_admission_waits_total 1$/m);
  });

  it('an order that cannot start its calls before the deadline is shed with 503, and nothing is written', async () => {
    const customer = aCustomer(`overload-${Date.now()}`);
    const product = aProduct({ categorySlug: 'overload' });
    await putItems(table, [
      customerItem(customer),
      productItem(product),
      inventoryItem({ productId: product.id, stock: 5, updatedAt: product.updatedAt }),
    ]);
    const admission = new Admission({ maxInFlight: 1, maxQueue: 100 });
    admission.acquire(FAR, 'new'); // held for the whole request: nothing frees it in time
    const t = createTestApp(table, { REQUEST_DEADLINE_MS: '300' }, { admission });
    const started = performance.now();
    const result = await t.gql(
      PLACE,
      {
        input: {
          idempotencyKey: 'shed-order',
          lines: [{ productId: encodeGlobalID('Product', product.id), quantity: 1 }],
        },
      },
      { token: await t.token(customer.id) },
    );
    const elapsed = performance.now() - started;
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(result.errors?.[0]?.message).toBe(SHED_MESSAGE);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
    const orders = await table.dynamo.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': customerPartition(customer.id) },
        ConsistentRead: true,
      }),
    );
    expect(orders.Items?.map((item) => item.entity)).toEqual(['Customer']);
    admission.release(1);
  });
});
