import type { BatchWriteCommandInput, BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { UnprocessedItemsError } from '../errors/store.js';
import { keyId, type TableKey } from '../models/table-schema.js';
import type { BackoffOptions, Item } from './batch-get.js';

/** What batchWriteItems needs of a client: the document client, or a fake in unit tests. */
export interface BatchWriteSender {
  send(command: BatchWriteCommand): Promise<BatchWriteCommandOutput>;
}

export interface BatchWriteOptions extends BackoffOptions {
  /** How many BatchWriteItem calls may be in flight at once. */
  concurrency?: number;
  /** Called with the running total of items written, after every call that wrote some. */
  onProgress?: (writtenCount: number) => void;
}

export interface BatchWriteResult {
  written: number;
  /** BatchWriteItem calls made, retries included. */
  calls: number;
  /** Calls that only resent UnprocessedItems. */
  retries: number;
}

/** BatchWriteItem's documented maximum of requests per call. */
export const BATCH_WRITE_LIMIT = 25;

/** Bulk loads can meet sustained throttling on a fresh on-demand table: a generous budget. */
const DEFAULT_BUDGET_MS = 60_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The key of an item of this table; BatchWriteItem refuses a call that names a key twice. */
function keyOf(item: Item, index: number): TableKey {
  const { PK, SK } = item;
  if (typeof PK !== 'string' || typeof SK !== 'string') {
    throw new TypeError(`batchWriteItems: item ${index} has no string PK and SK`);
  }
  return { PK, SK };
}

/**
 * Puts many items with BatchWriteItem: 25 per call, `concurrency` calls in flight, and
 * UnprocessedItems (throttling) resent with full-jitter exponential backoff while the budget lasts.
 *
 * Every item is written exactly once, or the promise rejects: with UnprocessedItemsError naming
 * how many items were left when a call ran past its budget, or with the sender's own error. After
 * a failure no new call starts; calls already in flight finish, so the count of items left is exact.
 * Two items with the same key are refused up front instead of letting one silently win.
 */
export async function batchWriteItems(
  sender: BatchWriteSender,
  tableName: string,
  items: readonly Item[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteResult> {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item, index);
    const id = keyId(key);
    if (seen.has(id)) {
      throw new Error(`batchWriteItems: duplicate key ${key.PK}/${key.SK} (item ${index})`);
    }
    seen.add(id);
  });

  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const state = { next: 0, written: 0, calls: 0, retries: 0, failure: undefined as unknown };
  const chunkCount = Math.ceil(items.length / BATCH_WRITE_LIMIT);

  // A fixed pool of workers pulling chunk numbers: bounded parallelism without a dependency.
  const worker = async () => {
    while (state.failure === undefined && state.next < chunkCount) {
      const start = state.next++ * BATCH_WRITE_LIMIT;
      try {
        await writeChunk(
          sender,
          tableName,
          items.slice(start, start + BATCH_WRITE_LIMIT),
          options,
          state,
        );
      } catch (error) {
        state.failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunkCount) }, worker));

  if (state.failure !== undefined) {
    if (state.failure instanceof UnprocessedItemsError) {
      throw new UnprocessedItemsError(
        items.length - state.written,
        state.written,
        options.budgetMs ?? DEFAULT_BUDGET_MS,
      );
    }
    throw state.failure;
  }
  return { written: state.written, calls: state.calls, retries: state.retries };
}

async function writeChunk(
  sender: BatchWriteSender,
  tableName: string,
  chunk: Item[],
  options: BatchWriteOptions,
  state: { written: number; calls: number; retries: number },
): Promise<void> {
  const {
    budgetMs = DEFAULT_BUDGET_MS,
    baseDelayMs = 50,
    maxDelayMs = 2_000,
    random = Math.random,
    sleep = defaultSleep,
    now = Date.now,
    onProgress,
  } = options;
  const started = now();
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    const input: BatchWriteCommandInput = {
      RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
    };
    state.calls++;
    if (attempt > 1) state.retries++;
    const output = await sender.send(new BatchWriteCommand(input));
    const unprocessed = (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
      request.PutRequest?.Item ? [request.PutRequest.Item as Item] : [],
    );
    const done = pending.length - unprocessed.length;
    if (done > 0) {
      state.written += done;
      onProgress?.(state.written);
    }
    if (unprocessed.length === 0) return;
    pending = unprocessed;
    const delay = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    if (now() - started + delay > budgetMs) {
      throw new UnprocessedItemsError(pending.length, state.written, budgetMs);
    }
    await sleep(delay);
  }
}
