import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { CursorError, PageSizeError } from '../errors/client.js';
import { KEY_ATTRIBUTES, type KeyQuery } from '../models/table-schema.js';
import type { Item } from './batch-get.js';
import type { CursorCodec } from './cursor.js';
import type { RequestDb } from './request-db.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A DynamoDB start key, as carried inside a cursor. Key attributes are all strings. */
export type StartKey = Record<string, string>;
export const startKeySchema = z.record(
  z.string().regex(new RegExp(`^(${KEY_ATTRIBUTES.join('|')})$`)),
  z.string().max(1024),
);

export interface PageArgs {
  first?: number | null;
  after?: string | null;
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

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

/** A Relay page of edges; there is a previous page exactly when the page began after a cursor. */
export function pageOf<T>(edges: Page<T>['edges'], hasNextPage: boolean, args: PageArgs): Page<T> {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** What queryItems needs of a RequestDb. */
export interface Querier {
  query(input: Omit<QueryCommandInput, 'TableName'>): Promise<QueryCommandOutput>;
}

/**
 * Reads a key range from `startKey` until it has `want` items or the range ends, following
 * LastEvaluatedKey when DynamoDB stops early (1 MB, or the Limit). With `limitEachCall` every call
 * asks only for the items still wanted; without, each call reads a full page (and the caller
 * may get more than `want`). `lastKey` is where the range goes on; undefined when it has ended.
 */
export async function queryItems(
  db: Querier,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  want: number,
  options: { startKey?: StartKey | undefined; limitEachCall?: boolean } = {},
): Promise<{ items: Item[]; lastKey: StartKey | undefined }> {
  const items: Item[] = [];
  let startKey = options.startKey;
  do {
    const output = await db.query({
      ...input,
      ...(options.limitEachCall ? { Limit: want - items.length } : {}),
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey as StartKey | undefined;
  } while (items.length < want && startKey);
  return { items, lastKey: startKey };
}

export interface QueryPageOptions<T> {
  db: RequestDb;
  cursors: CursorCodec;
  binding: string;
  args: PageArgs;
  maxPageSize?: number;
  defaultPageSize?: number;
  /** The key range and the key attributes of the queried index (what LastEvaluatedKey holds). */
  query: KeyQuery;
  /** False: newest (or highest) first. */
  scanIndexForward: boolean;
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
  const { keyAttributes } = options.query;
  let startKey: StartKey | undefined;
  if (options.args.after != null) {
    startKey = options.cursors.decode(options.binding, options.args.after, startKeySchema);
    for (const attribute of keyAttributes) {
      if (typeof startKey[attribute] !== 'string') throw new CursorError();
    }
  }
  const { items } = await queryItems(
    options.db,
    { ...options.query.input, ScanIndexForward: options.scanIndexForward },
    first + 1,
    { startKey, limitEachCall: true },
  );
  const edges = items.slice(0, first).map((item) => ({
    cursor: options.cursors.encode(options.binding, pickKey(item, keyAttributes)),
    node: options.map(item),
  }));
  return pageOf(edges, items.length > first, options.args);
}

export function pickKey(item: Item, attributes: readonly string[]): StartKey {
  const key: StartKey = {};
  for (const attribute of attributes) key[attribute] = String(item[attribute]);
  return key;
}
