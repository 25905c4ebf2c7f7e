/**
 * Relay pages over a DynamoDB Query. A cursor is the base64 of the JSON of the key that
 * LastEvaluatedKey would have been had the page ended at that edge (unsigned: what a team
 * without a cursor feature writes). One item more than the page is asked for, so that
 * hasNextPage is exact; LastEvaluatedKey is followed when DynamoDB stops early (1 MB).
 */
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { KeyQuery } from '../../../src/models/table-schema.js';
import type { Item } from './loaders.js';

export interface Page {
  edges: Array<{ cursor: string; node: Item }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const encodeCursor = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key)).toString('base64');
export const decodeCursor = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as Record<string, unknown>;

/** Every item of a key range (the cart: a few lines, every page read). */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await doc.send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function queryPage(
  doc: DynamoDBDocumentClient,
  tableName: string,
  query: KeyQuery,
  options: { first: number; after?: string | null; forward: boolean },
): Promise<Page> {
  const want = options.first + 1;
  const items: Item[] = [];
  let startKey = options.after ? decodeCursor(options.after) : undefined;
  do {
    const output = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ...query.input,
        ScanIndexForward: options.forward,
        Limit: want - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (items.length < want && startKey);
  const edges = items.slice(0, options.first).map((item) => {
    const key: Record<string, unknown> = {};
    for (const attribute of query.keyAttributes) key[attribute] = item[attribute];
    return { cursor: encodeCursor(key), node: item };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: items.length > options.first,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
