import { CorruptItemError } from '../errors/store.js';
import type { Item } from '../store/batch-get.js';

function fail(item: Item, field: string): never {
  throw new CorruptItemError(
    `${String(item.entity)} ${String(item.PK)}/${String(item.SK)}: bad ${field}`,
  );
}

/** Small typed readers: the models' codecs parse what they read instead of casting it. */
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
