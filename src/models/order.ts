import { encodeTime } from 'ulid';
import type { OrderStatus } from '../domain/order-status.js';
import type { Order } from '../domain/orders.js';
import type { Item } from '../store/batch-get.js';
import { customerPartition } from './customer.js';
import { read } from './read.js';
import {
  type Gsi2Key,
  type KeyQuery,
  keyQuery,
  TABLE_SCHEMA,
  type TableKey,
} from './table-schema.js';

/**
 * Order: `CUSTOMER#<cid>` / `ORDER#<ulid>`, lines embedded; in GSI2 under
 * `ORDERSTATUS#<status>#<shard>` / `<createdAt>#<oid>`, write-sharded.
 */
export const ORDER_ENTITY = 'Order';

const ORDER_PREFIX = 'ORDER#';
/** The times an order id (a ULID) can carry: a history's default range. */
export const ORDER_TIME_MIN = 0;
export const ORDER_TIME_MAX = 281474976710655;
/** The bounds of a ULID's random part. */
const ULID_RANDOM_MIN = '0000000000000000';
const ULID_RANDOM_MAX = 'ZZZZZZZZZZZZZZZZ';
const STATUS_INDEX = TABLE_SCHEMA.indexes.GSI2;

export function orderKey(customerId: string, orderId: string): TableKey {
  return { PK: customerPartition(customerId), SK: `${ORDER_PREFIX}${orderId}` };
}

/**
 * Access pattern 8: a customer's orders placed within [fromMs, toMs]. ULIDs start with their
 * time, so a date range is a key range.
 */
export function orderHistoryQuery(customerId: string, fromMs: number, toMs: number): KeyQuery {
  const lo = `${ORDER_PREFIX}${encodeTime(fromMs, 10)}${ULID_RANDOM_MIN}`;
  const hi = `${ORDER_PREFIX}${encodeTime(toMs, 10)}${ULID_RANDOM_MAX}`;
  return keyQuery(undefined, customerPartition(customerId), { between: [lo, hi] });
}

/** Every order of a customer (audits and the benchmark; the API pages by date). */
export function customerOrdersQuery(customerId: string): KeyQuery {
  return keyQuery(undefined, customerPartition(customerId), { beginsWith: ORDER_PREFIX });
}

function orderStatusPartition(status: string, shard: number): string {
  return `ORDERSTATUS#${status}#${shard}`;
}

/** GSI2: orders by status, one partition per write shard. */
export function orderByStatusKey(
  status: string,
  shard: number,
  createdAt: string,
  orderId: string,
): Gsi2Key {
  return { GSI2PK: orderStatusPartition(status, shard), GSI2SK: `${createdAt}#${orderId}` };
}

/** Access pattern 10: one write shard of the orders in a status. */
export function ordersByStatusQuery(status: OrderStatus, shard: number): KeyQuery {
  return keyQuery('GSI2', orderStatusPartition(status, shard));
}

/** An order item's place in the status index: the order the shards are merged in. */
export function orderStatusSortKey(item: Item): string {
  return String(item[STATUS_INDEX.sortKey]);
}

/**
 * The update that moves an order to another status: the status, its status-index partition
 * (same shard; the sort key, createdAt#oid, stays) and updatedAt.
 */
export function orderStatusUpdate(
  to: OrderStatus,
  shard: number,
  updatedAt: string,
): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  return {
    UpdateExpression: 'SET #status = :to, #statusIndex = :statusIndex, #updatedAt = :now',
    ExpressionAttributeNames: {
      '#status': 'status',
      '#statusIndex': STATUS_INDEX.partitionKey,
      '#updatedAt': 'updatedAt',
    },
    ExpressionAttributeValues: {
      ':to': to,
      ':statusIndex': orderStatusPartition(to, shard),
      ':now': updatedAt,
    },
  };
}

export function toOrder(item: Item): Order {
  read.entity(item, ORDER_ENTITY);
  const lines = item.lines;
  if (!Array.isArray(lines)) throw new Error(`Order ${String(item.SK)}: bad lines`);
  return {
    id: read.string(item, 'id'),
    customerId: read.string(item, 'customerId'),
    status: read.string(item, 'status') as OrderStatus,
    lines: lines.map((line: Item) => ({
      productId: read.string(line, 'productId'),
      quantity: read.int(line, 'quantity'),
      unitPriceCents: read.int(line, 'unitPriceCents'),
      productName: read.optionalString(line, 'productName'),
    })),
    totalCents: read.int(item, 'totalCents'),
    currency: read.string(item, 'currency'),
    createdAt: read.string(item, 'createdAt'),
    updatedAt: read.string(item, 'updatedAt'),
    shard: read.int(item, 'shard'),
  };
}

export function orderItem(order: Order): Item {
  return {
    ...orderKey(order.customerId, order.id),
    entity: ORDER_ENTITY,
    ...order,
    ...orderByStatusKey(order.status, order.shard, order.createdAt, order.id),
  };
}
