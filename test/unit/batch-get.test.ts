import type { BatchGetCommand, BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { UnprocessedKeysError } from '../../src/errors/store.js';
import { productKey } from '../../src/models/product.js';
import { keyId, type TableKey } from '../../src/models/table-schema.js';
import { type BatchGetSender, batchGetItems, type Item } from '../../src/store/batch-get.js';

const TABLE = 'Shop';

/** A fake BatchGetItem: shuffles what it returns and leaves some keys unprocessed. */
class FakeDynamo implements BatchGetSender {
  calls: TableKey[][] = [];
  constructor(
    private readonly stored: Map<string, Item>,
    /** How many times each key is left unprocessed before it is served. */
    private readonly throttle: (key: TableKey, attempt: number) => boolean = () => false,
    private readonly seed = 7,
  ) {}
  private attempts = new Map<string, number>();
  async send(command: BatchGetCommand): Promise<BatchGetCommandOutput> {
    const requested = (command.input.RequestItems?.[TABLE]?.Keys ?? []) as TableKey[];
    if (requested.length > 100) throw new Error('ValidationException: Too many items requested');
    this.calls.push(requested);
    const responses: Item[] = [];
    const unprocessed: TableKey[] = [];
    for (const key of requested) {
      const id = keyId(key);
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempt);
      if (this.throttle(key, attempt)) unprocessed.push(key);
      else if (this.stored.has(id)) responses.push(this.stored.get(id)!);
    }
    // BatchGetItem promises no order: reverse-rotate to make sure nothing relies on it.
    const rotated = responses.reverse();
    for (let i = 0; i < this.seed % Math.max(rotated.length, 1); i++)
      rotated.push(rotated.shift()!);
    return {
      Responses: { [TABLE]: rotated },
      UnprocessedKeys: unprocessed.length ? { [TABLE]: { Keys: unprocessed } } : {},
      $metadata: {},
    };
  }
}

function store(count: number): Map<string, Item> {
  const items = new Map<string, Item>();
  for (let i = 0; i < count; i++) {
    const key = productKey(`p${i}`);
    items.set(keyId(key), { ...key, id: `p${i}` });
  }
  return items;
}

const instant = { sleep: async () => {}, random: () => 0.5 };

describe('batchGetItems', () => {
  it('answers every key in request order, matched by key whatever order DynamoDB used', async () => {
    const fake = new FakeDynamo(store(10));
    const asked = [3, 1, 4, 1, 5, 9, 2, 6].map((i) => productKey(`p${i}`));
    const result = await batchGetItems(fake, asked, { tableName: TABLE, ...instant });
    expect(result.map((item) => (item as Item).id)).toEqual([
      'p3',
      'p1',
      'p4',
      'p1',
      'p5',
      'p9',
      'p2',
      'p6',
    ]);
  });

  it('reads duplicates once and a missing key is null', async () => {
    const fake = new FakeDynamo(store(3));
    const result = await batchGetItems(
      fake,
      [productKey('p0'), productKey('nope'), productKey('p0')],
      { tableName: TABLE, ...instant },
    );
    expect(result).toEqual([
      expect.objectContaining({ id: 'p0' }),
      null,
      expect.objectContaining({ id: 'p0' }),
    ]);
    expect(fake.calls.flat()).toHaveLength(2);
  });

  it('sends at most 100 keys a call', async () => {
    const fake = new FakeDynamo(store(250));
    const asked = Array.from({ length: 250 }, (_, i) => productKey(`p${i}`));
    const result = await batchGetItems(fake, asked, { tableName: TABLE, ...instant });
    expect(fake.calls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(result.every((item) => item !== null && !(item instanceof Error))).toBe(true);
  });

  it('retries UnprocessedKeys with growing, jittered delays until every key is answered', async () => {
    const delays: number[] = [];
    // Odd keys are throttled on their first two attempts.
    const fake = new FakeDynamo(
      store(20),
      (key, attempt) => Number(key.PK.slice(9)) % 2 === 1 && attempt <= 2,
    );
    const asked = Array.from({ length: 20 }, (_, i) => productKey(`p${i}`));
    const result = await batchGetItems(fake, asked, {
      tableName: TABLE,
      random: () => 1,
      baseDelayMs: 10,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(result.map((item) => (item as Item).id)).toEqual(asked.map((_, i) => `p${i}`));
    expect(fake.calls.map((c) => c.length)).toEqual([20, 10, 10]);
    expect(delays).toEqual([10, 20]);
  });

  it('past the time budget, only the keys still unprocessed fail, with a clear error', async () => {
    let clock = 0;
    const fake = new FakeDynamo(store(4), (key) => key.PK === productKey('p2').PK);
    const asked = [0, 1, 2, 3].map((i) => productKey(`p${i}`));
    const result = await batchGetItems(fake, asked, {
      tableName: TABLE,
      budgetMs: 100,
      baseDelayMs: 30,
      random: () => 1,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect((result[0] as Item).id).toBe('p0');
    expect((result[3] as Item).id).toBe('p3');
    expect(result[2]).toBeInstanceOf(UnprocessedKeysError);
    expect((result[2] as Error).message).toMatch(
      /PRODUCT#p2\/PRODUCT unprocessed after 3 attempts/,
    );
    expect(clock).toBeLessThanOrEqual(100);
  });
});
