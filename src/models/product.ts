import type { Product } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { read } from './read.js';
import {
  type Gsi1Key,
  type Gsi2Key,
  type KeyQuery,
  keyQuery,
  TABLE_SCHEMA,
  type TableKey,
} from './table-schema.js';

/**
 * Product: `PRODUCT#<pid>` / `PRODUCT`, in GSI1 by category and price, and in the sparse GSI2
 * when featured. Its inventory, reviews and reviewer claims share the partition.
 */
export const PRODUCT_ENTITY = 'Product';

const PRODUCT_PREFIX = 'PRODUCT#';
const PRODUCT_SK = 'PRODUCT';
const FEATURED_PARTITION = 'FEATURED';
const MAX_CENTS = 999_999_999_999;

export function productPartition(productId: string): string {
  return `${PRODUCT_PREFIX}${productId}`;
}

/** The product id of a product partition's key, or null for a key of another partition. */
export function productIdOfPartition(partition: string): string | null {
  return partition.startsWith(PRODUCT_PREFIX) ? partition.slice(PRODUCT_PREFIX.length) : null;
}

export function productKey(productId: string): TableKey {
  return { PK: productPartition(productId), SK: PRODUCT_SK };
}

/** Whether a key of a product partition is the product item itself (not its stock or a review). */
export function isProductItemKey(key: TableKey): boolean {
  return key.SK === PRODUCT_SK && productIdOfPartition(key.PK) !== null;
}

/** Sort keys order lexicographically, so prices are zero-padded to 12 digits. */
export function padCents(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0 || cents > MAX_CENTS) {
    throw new RangeError(`price out of range: ${cents}`);
  }
  return String(cents).padStart(12, '0');
}

function categoryProductsPartition(slug: string): string {
  return `CATEGORY#${slug}`;
}

/** GSI1: products of a category by price. */
export function productByCategoryKey(slug: string, priceCents: number, productId: string): Gsi1Key {
  return {
    GSI1PK: categoryProductsPartition(slug),
    GSI1SK: `PRICE#${padCents(priceCents)}#${productId}`,
  };
}

/** Inclusive GSI1SK bounds for a price range; `~` sorts after every id character. */
export function priceRange(
  minCents: number | null | undefined,
  maxCents: number | null | undefined,
): { from: string; to: string } {
  return {
    from: `PRICE#${padCents(minCents ?? 0)}#`,
    to: `PRICE#${padCents(maxCents ?? MAX_CENTS)}#~`,
  };
}

/** Access pattern 2: a category's products in a price range (GSI1). */
export function categoryProductsQuery(
  slug: string,
  minCents: number | null | undefined,
  maxCents: number | null | undefined,
): KeyQuery {
  const range = priceRange(minCents, maxCents);
  return keyQuery('GSI1', categoryProductsPartition(slug), {
    between: [range.from, range.to],
  });
}

/** GSI2: the sparse featured index. */
export function featuredProductKey(updatedAt: string, productId: string): Gsi2Key {
  return { GSI2PK: FEATURED_PARTITION, GSI2SK: `${updatedAt}#${productId}` };
}

/** Access pattern 3: featured products (GSI2). */
export function featuredProductsQuery(): KeyQuery {
  return keyQuery('GSI2', FEATURED_PARTITION);
}

/**
 * The attributes updateProduct may write: the editable fields and the index keys that follow
 * them. Everything else (ratingSum and ratingCount above all, kept by the review transaction) is
 * left as it is.
 */
const UPDATABLE_ATTRIBUTES: readonly string[] = [
  'name',
  'description',
  'priceCents',
  'categorySlug',
  'featured',
  'updatedAt',
  TABLE_SCHEMA.indexes.GSI1.partitionKey,
  TABLE_SCHEMA.indexes.GSI1.sortKey,
  TABLE_SCHEMA.indexes.GSI2.partitionKey,
  TABLE_SCHEMA.indexes.GSI2.sortKey,
];

/**
 * The UpdateItem that turns the stored `current` item into `next` (both as productItem builds
 * them): `version + 1`, SET what differs, REMOVE index keys that no longer apply (GSI2 when a
 * product stops being featured).
 */
export function productItemUpdate(
  current: Item,
  next: Item,
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':one': 1 };
  const set = ['#version = #version + :one'];
  const remove: string[] = [];
  for (const attribute of UPDATABLE_ATTRIBUTES) {
    const value = next[attribute];
    if (value === undefined) {
      if (current[attribute] === undefined) continue;
      names[`#${attribute}`] = attribute;
      remove.push(`#${attribute}`);
    } else if (value !== current[attribute]) {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      set.push(`#${attribute} = :${attribute}`);
    }
  }
  const expression = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`;
  return { expression, names, values };
}

export function toProduct(item: Item): Product {
  read.entity(item, PRODUCT_ENTITY);
  return {
    id: read.string(item, 'id'),
    name: read.string(item, 'name'),
    description: read.optionalString(item, 'description'),
    priceCents: read.int(item, 'priceCents'),
    currency: read.string(item, 'currency'),
    categorySlug: read.string(item, 'categorySlug'),
    featured: read.bool(item, 'featured'),
    version: read.int(item, 'version'),
    ratingCount: read.int(item, 'ratingCount', 0),
    ratingSum: read.int(item, 'ratingSum', 0),
    createdAt: read.string(item, 'createdAt'),
    updatedAt: read.string(item, 'updatedAt'),
  };
}

/** The stored item of a product, with its index keys (GSI2 only when featured: sparse). */
export function productItem(product: Product): Item {
  return {
    ...productKey(product.id),
    entity: PRODUCT_ENTITY,
    ...product,
    ...productByCategoryKey(product.categorySlug, product.priceCents, product.id),
    ...(product.featured ? featuredProductKey(product.updatedAt, product.id) : {}),
  };
}
