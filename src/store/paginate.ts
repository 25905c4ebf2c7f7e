import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ClientError } from '../errors/client.js';
import type { Item } from './batch-get.js';
import { type CursorCodec, CursorError } from './cursor.js';
import type { RequestDb } from './request-db.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A DynamoDB start key, as carried inside a cursor. Key attributes are all strings. */
export type StartKey = Record<string, string>;
export const startKeySchema = z.record(
  z.string().regex(/^(PK|SK|GSI[12]PK|GSI[12]SK)$/),
  z.string().max(1024),
);

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export class PageSizeError extends ClientError {
  override name = 'PageSizeError';
}

export function pageSize(
  first: number | null | undefined,
  max = MAX_PAGE_SIZE,
  fallback = DEFAULT_PAGE_SIZE,
): number {
  if (first == null) return fallback;
  if (!Number.isInteger(first) || first < 0 || first > max) {
    throw new PageSizeError(`first must be between 0 and ${max}`);
  }
  return first;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export interface QueryPageOptions<T> {
  db: RequestDb;
  cursors: CursorCodec;
  binding: string;
  args: PageArgs;
  maxPageSize?: number;
  defaultPageSize?: number;
  /** The key attributes of the queried index: what LastEvaluatedKey holds. */
  keyAttributes: readonly string[];
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;
  map: (item: Item) => T;
}

/**
 * One page of a Query, Relay style. The cursor is checked before any call. It asks for one item
 * more than the page so that hasNextPage is exact, and follows LastEvaluatedKey when DynamoDB
 * stops early (1 MB). Each edge's cursor is that item's key, which is exactly the
 * LastEvaluatedKey DynamoDB would have returned had the page ended there.
 */
export async function queryPage<T>(options: QueryPageOptions<T>): Promise<Page<T>> {
  const first = pageSize(options.args.first, options.maxPageSize, options.defaultPageSize);
  let startKey: StartKey | undefined;
  if (options.args.after != null) {
    startKey = options.cursors.decode(options.binding, options.args.after, startKeySchema);
    for (const attribute of options.keyAttributes) {
      if (typeof startKey[attribute] !== 'string') throw new CursorError();
    }
  }
  const items: Item[] = [];
  do {
    const output = await options.db.query({
      ...options.input,
      Limit: first + 1 - items.length,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey as StartKey | undefined;
  } while (items.length <= first && startKey);
  const hasNextPage = items.length > first;
  const edges = items.slice(0, first).map((item) => ({
    cursor: options.cursors.encode(options.binding, pickKey(item, options.keyAttributes)),
    node: options.map(item),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: options.args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export function pickKey(item: Item, attributes: readonly string[]): StartKey {
  const key: StartKey = {};
  for (const attribute of attributes) key[attribute] = String(item[attribute]);
  return key;
}
