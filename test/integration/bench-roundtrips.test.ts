import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchData, loadBenchData } from '../../src/dev/bench/dataset.js';
import { naiveReads } from '../../src/dev/bench/naive.js';
import {
  inProcessGateway,
  measureRoundTrips,
  type RoundTripRow,
  recordPlans,
  sequentialDepth,
} from '../../src/dev/bench/roundtrips.js';
import { documentOperations } from '../../src/dev/documents.js';
import { schema } from '../../src/schema/index.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';

/** The benchmark's round-trip counter (npm run bench, part 1) on a small dataset: no timing. */
const secrets = { jwtSecret: 'b'.repeat(40), cursorSecret: 'c'.repeat(40) };
let table: TestTable;
let data: BenchData;
let rows: RoundTripRow[];

beforeAll(async () => {
  table = await createTestTable('bench');
  data = await loadBenchData(table.dynamo.doc, table.tableName, {
    products: 200,
    meCustomers: 1,
    buyers: 1,
    hotStock: 5,
    orderStatusShards: 4,
  });
  const gateway = inProcessGateway(table.dynamo, table.tableName, table.endpoint, secrets, 4);
  rows = await measureRoundTrips(gateway, data, secrets);
}, 120_000);
afterAll(() => table.drop());

const row = (name: string) => {
  const found = rows.find((r) => r.operation === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
};

describe('bench round trips', () => {
  it('has a row for every query and mutation of the contract, counted at the wire', () => {
    const names = new Set(rows.map((r) => r.operation.split(' ')[0]));
    for (const op of documentOperations().values()) {
      if (op.kind !== 'subscription') expect(names).toContain(op.name);
    }
    for (const r of rows) {
      expect(r.total).toBe(Object.values(r.calls).reduce((sum, n) => sum + n, 0));
    }
  });

  it('counts what the batching targets are about', () => {
    expect(row('Products (no stock)').calls).toEqual({ BatchGetItem: 1 });
    expect(row('Products').calls).toEqual({ BatchGetItem: 2 });
    expect(row('ProductPage').calls).toEqual({ BatchGetItem: 2, Query: 1 });
    expect(row('Me').calls).toEqual({ BatchGetItem: 2, Query: 2 });
    // The products Query first, then the category item in the stock's BatchGetItem.
    expect(row('CategoryPage').calls).toEqual({ BatchGetItem: 1, Query: 1 });
    expect(row('CategoryPage').sequential).toBe(2);
    expect(row('ProductPage').sequential).toBe(2);
    expect(row('Me').sequential).toBe(2);
  });

  it('counts the naive tree from the response: one GetItem per entity and stock, one Query per list', () => {
    // Category, 20 products and their 20 INVENTORY items; the products Query.
    expect(row('CategoryPage').naive).toEqual({ getItem: 41, query: 1, writes: 0, total: 42 });
    // The customer; 3 cart products with stock; 10 orders, 3 lines each, each line's product;
    // the cart and orders Queries.
    expect(row('Me').naive).toEqual({ getItem: 47, query: 2, writes: 0, total: 49 });
    expect(row('Me').ratio).toBeCloseTo(49 / 4);
  });

  it('walks abstract types by __typename or by the fields present', () => {
    const op = documentOperations().get('NodeLookup')!;
    const reads = (node: Record<string, unknown>) =>
      naiveReads(schema, op.text, { node }, { orderStatusShards: 4 });
    expect(reads({ id: 'p', name: 'A', priceCents: 1 })).toEqual({ getItem: 1, query: 0 });
    expect(reads({ id: 'c', slug: 'tools' })).toEqual({ getItem: 1, query: 0 });
    expect(naiveReads(schema, op.text, { node: null }, { orderStatusShards: 4 })).toEqual({
      getItem: 0,
      query: 0,
    });
  });

  it('records plans the direct-SDK baseline can replay: same calls, same dependencies', async () => {
    const gateway = inProcessGateway(table.dynamo, table.tableName, table.endpoint, secrets, 4);
    const { plans, callsPerRequest } = await recordPlans(gateway, data, secrets);
    expect(callsPerRequest).toMatchObject({ ProductPage: 3, CategoryPage: 2, Me: 4, Featured: 1 });
    const [productPage] = plans.ProductPage ?? [];
    // The reviews Query starts beside the product's BatchGetItem (it needs only the id); the
    // authors and the category follow in one BatchGetItem.
    expect(productPage?.map((c) => c.command).sort()).toEqual([
      'BatchGetCommand',
      'BatchGetCommand',
      'QueryCommand',
    ]);
    expect(sequentialDepth(productPage ?? [])).toBe(2);
    expect(plans.CategoryPage?.[0]?.map((c) => c.command)).toEqual([
      'QueryCommand',
      'BatchGetCommand',
    ]);
    expect(sequentialDepth(plans.CategoryPage?.[0] ?? [])).toBe(2);
    // Me: the cart and orders Queries start with the profile's read (they need only the
    // viewer's id); the lines' products follow in one BatchGetItem.
    expect(sequentialDepth(plans.Me?.[0] ?? [])).toBe(2);
  });
});
