import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateCatalog,
  loadSampleData,
  SampleDataConflictError,
} from '../../src/dev/sample/catalog.js';
import { categoriesQuery, toCategory } from '../../src/models/category.js';
import {
  categoryProductsQuery,
  featuredProductsQuery,
  productPartition,
  toProduct,
} from '../../src/models/product.js';
import { keyQuery } from '../../src/models/table-schema.js';
import type { Item } from '../../src/store/batch-get.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';

const PRODUCTS = 300;
const SEED = 11;

let table: TestTable;
let counts: Record<string, number>;
const progress: Array<[number, number]> = [];

/** Every item of a Query, following LastEvaluatedKey (DynamoDB pages at 1 MB). */
async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await table.dynamo.doc.send(
      new QueryCommand({
        ...input,
        TableName: table.tableName,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items;
}

beforeAll(async () => {
  table = await createTestTable('seed');
  counts = await loadSampleData(table.dynamo.doc, table.tableName, {
    products: PRODUCTS,
    seed: SEED,
    onProgress: (written, total) => progress.push([written, total]),
  });
});
afterAll(() => table.drop());

describe('loadSampleData on DynamoDB Local', () => {
  it('writes every generated item and reports counts by entity', () => {
    const expected = generateCatalog({ products: PRODUCTS, seed: SEED });
    expect(counts).toEqual(expected.counts);
    expect(counts.Product).toBe(PRODUCTS);
    expect(progress.at(-1)).toEqual([expected.items.length, expected.items.length]);
  });

  it("each category's productCount equals its products on GSI1", async () => {
    const categories = (await queryAll(categoriesQuery().input)).map(toCategory);
    expect(categories.length).toBeGreaterThanOrEqual(8);
    let total = 0;
    for (const category of categories) {
      const products = await queryAll(categoryProductsQuery(category.slug, null, null).input);
      expect(products.every((item) => item.entity === 'Product')).toBe(true);
      expect(category.productCount, category.slug).toBe(products.length);
      total += products.length;
    }
    expect(total).toBe(PRODUCTS);
  });

  it("products' ratingCount/ratingSum equal the REVIEW# items of their partition", async () => {
    const { products } = generateCatalog({ products: PRODUCTS, seed: SEED });
    // The busiest, an unreviewed one if any, and a few from the middle.
    const sorted = [...products].sort((a, b) => b.ratingCount - a.ratingCount);
    const sample = [sorted[0], sorted[sorted.length - 1], ...sorted.slice(100, 105)];
    expect(sorted[0]?.ratingCount).toBeGreaterThan(0);
    for (const expected of sample) {
      if (!expected) continue;
      const partition = await queryAll(keyQuery(undefined, productPartition(expected.id)).input);
      const product = partition.find((item) => item.entity === 'Product');
      expect(product).toBeDefined();
      const stored = toProduct(product as Item);
      const reviews = partition.filter((item) => item.entity === 'Review');
      expect(stored.ratingCount).toBe(reviews.length);
      expect(stored.ratingSum).toBe(reviews.reduce((sum, r) => sum + Number(r.rating), 0));
      // One reviewer claim per review, and the inventory item beside the product.
      expect(partition.filter((item) => item.entity === 'ReviewerClaim')).toHaveLength(
        reviews.length,
      );
      expect(partition.filter((item) => item.entity === 'Inventory')).toHaveLength(1);
      // Newest first when read backwards: the ULID sort keys are in createdAt order.
      const times = reviews.map((r) => String(r.createdAt));
      expect(times).toEqual([...times].sort());
    }
  });

  it('the featured GSI2 partition holds exactly the featured products', async () => {
    const { products } = generateCatalog({ products: PRODUCTS, seed: SEED });
    const featured = await queryAll(featuredProductsQuery().input);
    const expected = products.filter((p) => p.featured).map((p) => p.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(featured.map((item) => toProduct(item).id).sort()).toEqual(expected.sort());
    expect(featured.every((item) => item.featured === true)).toBe(true);
  });

  it('refuses to load into a table that already has categories', async () => {
    await expect(
      loadSampleData(table.dynamo.doc, table.tableName, { products: 5, seed: 99 }),
    ).rejects.toBeInstanceOf(SampleDataConflictError);
  });
});
