import type { BatchGetCommandInput, BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { UnprocessedKeysError } from '../errors/store.js';
import { keyId, type TableKey } from '../models/table-schema.js';

export type Item = Record<string, unknown>;

/** What batchGetItems needs of a client: the document client, or a fake in unit tests. */
export interface BatchGetSender {
  send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
}

/** Full-jitter exponential backoff under a time budget; the clock and dice are injectable for tests. */
export interface BackoffOptions {
  /** How long unprocessed keys or items may be retried before they fail. */
  budgetMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface BatchGetOptions extends BackoffOptions {
  tableName: string;
  consistentRead?: boolean;
}

/** BatchGetItem's documented maximum of keys per call. */
export const BATCH_GET_LIMIT = 100;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads many items by key with BatchGetItem.
 *
 * Duplicate keys are read once; calls carry at most 100 keys and run in parallel;
 * UnprocessedKeys are retried with full-jitter exponential backoff while the time budget lasts.
 * BatchGetItem returns items in no particular order, so results are matched by key: the answer
 * has one entry per requested key, in request order: the item, `null` when it does not exist, or
 * an UnprocessedKeysError for a key still unprocessed when the budget ran out.
 */
export async function batchGetItems(
  sender: BatchGetSender,
  requested: readonly TableKey[],
  options: BatchGetOptions,
): Promise<Array<Item | null | UnprocessedKeysError>> {
  const unique = new Map<string, TableKey>();
  for (const key of requested) unique.set(keyId(key), { PK: key.PK, SK: key.SK });
  const found = new Map<string, Item | UnprocessedKeysError>();
  const all = [...unique.values()];
  const chunks: TableKey[][] = [];
  for (let i = 0; i < all.length; i += BATCH_GET_LIMIT)
    chunks.push(all.slice(i, i + BATCH_GET_LIMIT));
  await Promise.all(chunks.map((chunk) => readChunk(sender, chunk, options, found)));
  return requested.map((key) => found.get(keyId(key)) ?? null);
}

async function readChunk(
  sender: BatchGetSender,
  chunk: TableKey[],
  options: BatchGetOptions,
  found: Map<string, Item | UnprocessedKeysError>,
): Promise<void> {
  const {
    tableName,
    consistentRead = false,
    budgetMs = 2_000,
    baseDelayMs = 20,
    maxDelayMs = 500,
    random = Math.random,
    sleep = defaultSleep,
    now = Date.now,
  } = options;
  const started = now();
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    const input: BatchGetCommandInput = {
      RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } },
    };
    const output = await sender.send(new BatchGetCommand(input));
    for (const item of output.Responses?.[tableName] ?? []) {
      found.set(keyId(item as TableKey), item);
    }
    const unprocessed = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as TableKey[];
    if (unprocessed.length === 0) return;
    pending = unprocessed.map((key) => ({ PK: key.PK, SK: key.SK }));
    const delay = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    if (now() - started + delay > budgetMs) {
      for (const key of pending) found.set(keyId(key), new UnprocessedKeysError(key, attempt));
      return;
    }
    await sleep(delay);
  }
}
