import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableKey } from '../models/table-schema.js';
import type { Item } from '../store/batch-get.js';
import { keyFits } from '../store/item-size.js';
import type { ItemLoader, RequestDb, SendOptions } from '../store/request-db.js';

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

/**
 * Entities by id through a request's loader (a Node's DataLoader): one entry per id, in order,
 * the entity, null when it does not exist, or the Error of its key.
 */
export async function getMany<Id, T>(
  loader: ItemLoader,
  ids: readonly Id[],
  key: (id: Id) => TableKey,
  decode: (item: Item) => T,
): Promise<Array<T | null | Error>> {
  const items = await loadItems(loader, ids.map(key));
  return items.map((item) => (item instanceof Error || item === null ? item : decode(item)));
}

/**
 * One item by key with a strongly consistent GetItem of its own, outside the request's batch:
 * a read that decides a write (or settles one, with `settling`), which must not wait for a batch.
 */
export async function getConsistentItem(
  db: RequestDb,
  key: TableKey,
  options: SendOptions = {},
): Promise<Item | null> {
  const output = await db.send<{ Item?: Item }>(
    new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }),
    options,
  );
  return output.Item ?? null;
}
