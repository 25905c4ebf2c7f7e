/**
 * One DataLoader per entity, each batching into BatchGetItem: what a team reaches for first.
 * Made per request (the cache is the request's). A missing item is null, in the order asked.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import { categoryKey } from '../../../src/models/category.js';
import { customerKey } from '../../../src/models/customer.js';
import { inventoryKey } from '../../../src/models/inventory.js';
import { productKey } from '../../../src/models/product.js';

export type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };

/** BatchGetItem takes at most 100 keys. */
const BATCH_LIMIT = 100;
/** Rounds of UnprocessedKeys before giving up (DynamoDB returns them when throttled). */
const MAX_ROUNDS = 8;

const keyString = (key: Key) => `${key.PK}\u0000${key.SK}`;

/** Every key's item (or undefined), 100 keys a call, the chunks in parallel, UnprocessedKeys retried. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const chunks: Key[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_LIMIT) chunks.push(keys.slice(i, i + BATCH_LIMIT));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Key[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round === MAX_ROUNDS)
          throw new Error(`BatchGetItem: ${pending.length} keys unprocessed`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** round * 10));
        const output = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }),
        );
        for (const item of output.Responses?.[tableName] ?? []) {
          found.set(keyString(item as Key), item);
        }
        pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
      }
    }),
  );
  return found;
}

function entityLoader(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keyOf: (id: string) => Key,
): DataLoader<string, Item | null> {
  return new DataLoader(
    async (ids) => {
      const keys = ids.map(keyOf);
      const items = await batchGet(doc, tableName, keys);
      return keys.map((key) => items.get(keyString(key)) ?? null);
    },
    { maxBatchSize: BATCH_LIMIT },
  );
}

export interface Loaders {
  products: DataLoader<string, Item | null>;
  /** The INVENTORY item of a product id. */
  inventory: DataLoader<string, Item | null>;
  /** By slug. */
  categories: DataLoader<string, Item | null>;
  customers: DataLoader<string, Item | null>;
}

export function createLoaders(doc: DynamoDBDocumentClient, tableName: string): Loaders {
  return {
    products: entityLoader(doc, tableName, productKey),
    inventory: entityLoader(doc, tableName, inventoryKey),
    categories: entityLoader(doc, tableName, categoryKey),
    customers: entityLoader(doc, tableName, customerKey),
  };
}
