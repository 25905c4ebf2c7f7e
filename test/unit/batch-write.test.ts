import type { BatchWriteCommand, BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { UnprocessedItemsError } from '../../src/errors/store.js';
import type { Item } from '../../src/store/batch-get.js';
import {
  BATCH_WRITE_LIMIT,
  type BatchWriteSender,
  batchWriteItems,
} from '../../src/store/batch-write.js';

const TABLE = 'Shop';

function makeItems(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({ PK: `P#${i}`, SK: 'X', n: i }));
}

/**
 * A fake DynamoDB: stores what it accepts, and for each call leaves unprocessed whatever
 * `leave(requestItems, callNumber)` picks (throttling), as BatchWriteItem does.
 */
function fakeSender(leave: (items: Item[], call: number) => Item[] = () => []) {
  const stored: Item[] = [];
  const callSizes: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sender: BatchWriteSender = {
    async send(command: BatchWriteCommand): Promise<BatchWriteCommandOutput> {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Yield so that calls overlap the way network calls do.
      await new Promise((resolve) => setTimeout(resolve, 1));
      const requests = command.input.RequestItems?.[TABLE] ?? [];
      const items = requests.map((r) => r.PutRequest?.Item as Item);
      callSizes.push(items.length);
      const left = leave(items, callSizes.length);
      stored.push(...items.filter((item) => !left.includes(item)));
      inFlight--;
      return {
        $metadata: {},
        UnprocessedItems:
          left.length > 0 ? { [TABLE]: left.map((Item) => ({ PutRequest: { Item } })) } : {},
      };
    },
  };
  return {
    sender,
    stored,
    callSizes,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

const noWait = { sleep: async () => {}, random: () => 0.5 };

describe('batchWriteItems', () => {
  it('sends at most 25 puts per call and writes every item once', async () => {
    const fake = fakeSender();
    const items = makeItems(101);
    const result = await batchWriteItems(fake.sender, TABLE, items, noWait);
    expect(fake.callSizes.length).toBe(5);
    expect(Math.max(...fake.callSizes)).toBe(BATCH_WRITE_LIMIT);
    expect([...fake.callSizes].sort((a, b) => a - b)).toEqual([1, 25, 25, 25, 25]);
    expect(fake.stored.map((item) => item.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      items.map((item) => item.n),
    );
    expect(result).toEqual({ written: 101, calls: 5, retries: 0 });
  });

  it('keeps at most `concurrency` calls in flight, and does run them in parallel', async () => {
    const fake = fakeSender();
    await batchWriteItems(fake.sender, TABLE, makeItems(25 * 20), { ...noWait, concurrency: 3 });
    expect(fake.maxInFlight).toBe(3);
    expect(fake.callSizes.length).toBe(20);
  });

  it('resends UnprocessedItems with backoff until all are written, each exactly once', async () => {
    // Every first-time call leaves its last 10 items; every resend leaves half of what it got.
    const fake = fakeSender((items, call) =>
      call % 2 === 1 ? items.slice(-10) : items.slice(Math.ceil(items.length / 2)),
    );
    const delays: number[] = [];
    const progress: number[] = [];
    const items = makeItems(60);
    const result = await batchWriteItems(fake.sender, TABLE, items, {
      random: () => 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
      baseDelayMs: 10,
      maxDelayMs: 1_000,
      concurrency: 1,
      onProgress: (n) => progress.push(n),
    });
    const written = fake.stored.map((item) => item.n);
    expect(written).toHaveLength(60);
    expect(new Set(written).size).toBe(60);
    expect(result.written).toBe(60);
    expect(result.retries).toBeGreaterThan(0);
    expect(result.calls).toBe(fake.callSizes.length);
    // Exponential: a chunk's successive retries wait 10, 20, 40... (random() = 1: the full cap).
    expect(delays.slice(0, 3)).toEqual([10, 20, 40]);
    // Progress is cumulative, rises, and ends at the total.
    expect(progress.at(-1)).toBe(60);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('draws each delay with full jitter: random() times the capped exponential', async () => {
    const fake = fakeSender((items, call) => (call <= 6 ? items : []));
    const delays: number[] = [];
    await batchWriteItems(fake.sender, TABLE, makeItems(3), {
      random: () => 0.25,
      sleep: async (ms) => {
        delays.push(ms);
      },
      baseDelayMs: 100,
      maxDelayMs: 500,
    });
    expect(delays).toEqual([25, 50, 100, 125, 125, 125]);
  });

  it('throws past the budget, naming how many items were left', async () => {
    // Throttled forever: items 0..9 of the first chunk are never accepted.
    const fake = fakeSender((items) => items.filter((item) => Number(item.n) < 10));
    let clock = 0;
    const error = await batchWriteItems(fake.sender, TABLE, makeItems(30), {
      concurrency: 1,
      budgetMs: 1_000,
      random: () => 1,
      baseDelayMs: 100,
      maxDelayMs: 400,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessedItemsError);
    const failure = error as UnprocessedItemsError;
    // The first chunk's 15 accepted items are written; its 10 throttled ones and the
    // 5 of the chunk that never started are left.
    expect(failure.remaining).toBe(15);
    expect(failure.written).toBe(15);
    expect(failure.message).toContain('15 item(s) left unwritten');
    expect(clock).toBeLessThanOrEqual(1_000);
    // No call started after the failure.
    expect(fake.callSizes.every((size) => size === 25 || size === 10)).toBe(true);
  });

  it('refuses two items with the same key before sending anything', async () => {
    const fake = fakeSender();
    const items = [...makeItems(3), { PK: 'P#1', SK: 'X', n: 'again' }];
    await expect(batchWriteItems(fake.sender, TABLE, items, noWait)).rejects.toThrow(
      /duplicate key P#1\/X/,
    );
    expect(fake.callSizes).toEqual([]);
  });

  it('passes a sender error through and starts no further calls', async () => {
    let calls = 0;
    const sender: BatchWriteSender = {
      async send() {
        calls++;
        throw new Error('ValidationException: item too large');
      },
    };
    await expect(
      batchWriteItems(sender, TABLE, makeItems(100), { ...noWait, concurrency: 1 }),
    ).rejects.toThrow('item too large');
    expect(calls).toBe(1);
  });

  it('makes no call for no items', async () => {
    const fake = fakeSender();
    expect(await batchWriteItems(fake.sender, TABLE, [], noWait)).toEqual({
      written: 0,
      calls: 0,
      retries: 0,
    });
    expect(fake.callSizes).toEqual([]);
  });
});
