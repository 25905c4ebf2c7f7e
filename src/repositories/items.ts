import type { Item } from '../store/batch-get.js';
import { keyFits } from '../store/item-size.js';
import type { TableKey } from '../store/keys.js';
import type { ItemLoader } from '../store/request-db.js';

/** Thrown when a stored item does not have the shape its entity promises. */
export class CorruptItemError extends Error {
  override name = 'CorruptItemError';
}

function fail(item: Item, field: string): never {
  throw new CorruptItemError(
    `${String(item.entity)} ${String(item.PK)}/${String(item.SK)}: bad ${field}`,
  );
}

/** Small typed readers: repositories parse what they read instead of casting it. */
export const read = {
  entity(item: Item, entity: string): void {
    if (item.entity !== entity) fail(item, `entity (expected ${entity})`);
  },
  string(item: Item, field: string): string {
    const value = item[field];
    if (typeof value !== 'string') fail(item, field);
    return value;
  },
  optionalString(item: Item, field: string, fallback = ''): string {
    const value = item[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') fail(item, field);
    return value;
  },
  int(item: Item, field: string, fallback?: number): number {
    const value = item[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(item, field);
    return value;
  },
  bool(item: Item, field: string): boolean {
    return item[field] === true;
  },
};

/** Write limits a repository enforces; tests lower them to reach them with small items. */
export interface RepositoryLimits {
  /** The largest item a write may put: DynamoDB's 400 KB unless lowered. */
  maxItemBytes?: number | undefined;
}

/**
 * Items by key through a request's loader. A key too long for DynamoDB (an id a client made up)
 * reads as null without a call: sent, it would fail the whole batch.
 */
export async function loadItems(
  loader: ItemLoader,
  keys: readonly TableKey[],
): Promise<Array<Item | null | Error>> {
  const fits = keys.map(keyFits);
  const loaded = await loader.loadMany(keys.filter((_, i) => fits[i]));
  let next = 0;
  return keys.map((_, i) => (fits[i] ? (loaded[next++] ?? null) : null));
}

/**
 * One item by key through a request's loader: `loadItems` for a single key, without its arrays
 * (a review's author, ten per ProductPage). It joins the same BatchGetItem as every other key the
 * request is waiting for; an Error for the key (still unprocessed) rejects, so it is the field's.
 */
export function loadItem(loader: ItemLoader, key: TableKey): Promise<Item | null> {
  return keyFits(key) ? loader.load(key) : Promise.resolve(null);
}
