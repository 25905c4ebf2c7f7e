import type { Item } from '../store/batch-get.js';

/**
 * The one table's shape: its key attributes, its two indexes, its TTL attribute. The table
 * definition (src/store/table.ts), the models' key builders and every key condition read these
 * names from here, so the attribute names are spelled once.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: {
    GSI1: { partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    GSI2: { partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  },
  ttlAttribute: 'expiresAt',
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexName = keyof typeof TABLE_SCHEMA.indexes;

/** An item's primary key. */
export interface TableKey {
  PK: string;
  SK: string;
}

/** The attributes an item writes to be in GSI1 (products of a category by price). */
export type Gsi1Key = { GSI1PK: string; GSI1SK: string };
/** The attributes an item writes to be in GSI2 (featured products; orders by status). */
export type Gsi2Key = { GSI2PK: string; GSI2SK: string };

/** Every key attribute of the table and its indexes: what a start key (and so a cursor) holds. */
export const KEY_ATTRIBUTES: readonly string[] = [
  TABLE_SCHEMA.partitionKey,
  TABLE_SCHEMA.sortKey,
  ...Object.values(TABLE_SCHEMA.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
];

/** What LastEvaluatedKey holds for a Query of the table or of an index. */
export function startKeyAttributes(index?: IndexName): readonly string[] {
  const table = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey];
  if (!index) return table;
  const { partitionKey, sortKey } = TABLE_SCHEMA.indexes[index];
  return [...table, partitionKey, sortKey];
}

/** A stable string for a table key, for maps and DataLoader cache keys. */
export function keyId(key: TableKey): string {
  return `${key.PK}\u0000${key.SK}`;
}

/** The primary key of a stored item. */
export function keyOf(item: Item): TableKey {
  return { PK: item.PK as string, SK: item.SK as string };
}

/** The sort-key half of a key condition. */
export type SortCondition = { beginsWith: string } | { between: readonly [string, string] };

/**
 * The key condition of a Query on the table or an index: `#pk = :pk`, and optionally
 * `begins_with(#sk, :prefix)` or `#sk BETWEEN :from AND :to`.
 */
export interface KeyQuery {
  input: {
    IndexName?: IndexName;
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, string>;
  };
  /** The key attributes of the queried index: what LastEvaluatedKey (and a cursor) holds. */
  keyAttributes: readonly string[];
}

export function keyQuery(
  index: IndexName | undefined,
  partition: string,
  sort?: SortCondition,
): KeyQuery {
  const names = index ? TABLE_SCHEMA.indexes[index] : TABLE_SCHEMA;
  const pk = names.partitionKey;
  const sk = names.sortKey;
  const keyAttributes = startKeyAttributes(index);
  const base = index ? { IndexName: index } : {};
  if (!sort) {
    return {
      input: {
        ...base,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pk },
        ExpressionAttributeValues: { ':pk': partition },
      },
      keyAttributes,
    };
  }
  if ('beginsWith' in sort) {
    return {
      input: {
        ...base,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
        ExpressionAttributeValues: { ':pk': partition, ':prefix': sort.beginsWith },
      },
      keyAttributes,
    };
  }
  return {
    input: {
      ...base,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
      ExpressionAttributeValues: {
        ':pk': partition,
        ':from': sort.between[0],
        ':to': sort.between[1],
      },
    },
    keyAttributes,
  };
}

/** DynamoDB TTL wants epoch seconds; the API shows ISO strings. */
export function ttlFromNow(seconds: number, now = Date.now()): number {
  return Math.floor(now / 1000) + seconds;
}

export function ttlToIso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** Epoch seconds, as the TTL attribute compares. */
export function nowSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}
