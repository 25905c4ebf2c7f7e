import type { Item } from '../store/batch-get.js';
import { customerPartition } from './customer.js';
import { read } from './read.js';
import { type KeyQuery, keyQuery, nowSeconds, type TableKey } from './table-schema.js';

/** Cart line: `CUSTOMER#<cid>` / `CART#<pid>`, expiring 7 days after its last change. */
export const CART_LINE_ENTITY = 'CartLine';
/** A line lives 7 days after its last change (DESIGN.md: cart line `expiresAt`). */
export const CART_LINE_TTL_SECONDS = 7 * 24 * 60 * 60;

const CART_PREFIX = 'CART#';

export interface CartLine {
  customerId: string;
  productId: string;
  quantity: number;
  addedAt: string;
  updatedAt: string;
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number;
}

export function cartLineKey(customerId: string, productId: string): TableKey {
  return { PK: customerPartition(customerId), SK: `${CART_PREFIX}${productId}` };
}

/** Access pattern 7: a customer's cart lines. */
export function cartLinesQuery(customerId: string): KeyQuery {
  return keyQuery(undefined, customerPartition(customerId), { beginsWith: CART_PREFIX });
}

export function toCartLine(item: Item): CartLine {
  read.entity(item, CART_LINE_ENTITY);
  return {
    customerId: read.string(item, 'customerId'),
    productId: read.string(item, 'productId'),
    quantity: read.int(item, 'quantity'),
    addedAt: read.string(item, 'addedAt'),
    updatedAt: read.string(item, 'updatedAt'),
    expiresAt: read.int(item, 'expiresAt'),
  };
}

export function cartLineItem(line: CartLine): Item {
  return { ...cartLineKey(line.customerId, line.productId), entity: CART_LINE_ENTITY, ...line };
}

/** TTL deletion is lazy (and never happens on DynamoDB Local): an expired line is absent. */
export function isLive(line: CartLine, now = Date.now()): boolean {
  return line.expiresAt > nowSeconds(now);
}
