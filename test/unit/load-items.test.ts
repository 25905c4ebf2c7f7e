import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { customerKey } from '../../src/models/customer.js';
import { keyId, type TableKey } from '../../src/models/table-schema.js';
import { loadItem, loadItems } from '../../src/repositories/items.js';
import type { Item } from '../../src/store/batch-get.js';
import type { ItemLoader } from '../../src/store/request-db.js';

/** A loader over a fixed table that records every batch it is asked for. */
function loaderOver(table: Record<string, Item | Error>) {
  const batches: string[][] = [];
  const loader: ItemLoader = new DataLoader<TableKey, Item | null, string>(
    async (keys) => {
      batches.push(keys.map(keyId));
      return keys.map((key) => table[keyId(key)] ?? null);
    },
    { cacheKeyFn: keyId },
  );
  return { loader, batches };
}

const alice = customerKey('a');
const bob = customerKey('b');
const throttled = customerKey('t');
const tooLong = customerKey('x'.repeat(2_048));

describe('loadItem: one key through the request loader', () => {
  const table = {
    [keyId(alice)]: { ...alice, name: 'Alice' },
    [keyId(bob)]: { ...bob, name: 'Bob' },
    [keyId(throttled)]: new Error('unprocessed'),
  };

  it('joins the same batch as loadItems and answers each key', async () => {
    const { loader, batches } = loaderOver(table);
    const [one, many, missing] = await Promise.all([
      loadItem(loader, alice),
      loadItems(loader, [bob, alice]),
      loadItem(loader, customerKey('nobody')),
    ]);
    expect(one).toMatchObject({ name: 'Alice' });
    expect(many.map((item) => (item as Item).name)).toEqual(['Bob', 'Alice']);
    expect(missing).toBeNull();
    expect(batches).toEqual([[keyId(alice), keyId(bob), keyId(customerKey('nobody'))]]);
  });

  it('answers null for a key DynamoDB would refuse, without asking for it', async () => {
    const { loader, batches } = loaderOver(table);
    expect(await loadItem(loader, tooLong)).toBeNull();
    expect(batches).toEqual([]);
  });

  it("rejects with the key's error, as loadItems answers it in place", async () => {
    const { loader } = loaderOver(table);
    await expect(loadItem(loader, throttled)).rejects.toThrow('unprocessed');
    const [answer] = await loadItems(loaderOver(table).loader, [throttled]);
    expect(answer).toBeInstanceOf(Error);
  });
});
