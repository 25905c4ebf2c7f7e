import { ORDER_LIMITS } from '../domain/orders.js';
import type { Item } from '../store/batch-get.js';
import { customerPartition } from './customer.js';
import { read } from './read.js';
import { type KeyQuery, keyQuery, type TableKey, ttlFromNow } from './table-schema.js';

/**
 * Idempotency record: `CUSTOMER#<cid>` / `IDEMPOTENCY#<key>`, the request hash and the order it
 * made; expires 24 hours after it was written.
 */
export const IDEMPOTENCY_ENTITY = 'IdempotencyRecord';

export interface IdempotencyRecord {
  requestHash: string;
  orderId: string;
  expiresAt: number;
}

const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';

export function idempotencyRecordKey(customerId: string, idempotencyKey: string): TableKey {
  return { PK: customerPartition(customerId), SK: `${IDEMPOTENCY_PREFIX}${idempotencyKey}` };
}

/** Every idempotency record of a customer (audits of a load run). */
export function idempotencyRecordsQuery(customerId: string): KeyQuery {
  return keyQuery(undefined, customerPartition(customerId), { beginsWith: IDEMPOTENCY_PREFIX });
}

export function idempotencyRecordItem(record: {
  customerId: string;
  idempotencyKey: string;
  requestHash: string;
  orderId: string;
  createdAt: string;
  nowMs: number;
}): Item {
  return {
    ...idempotencyRecordKey(record.customerId, record.idempotencyKey),
    entity: IDEMPOTENCY_ENTITY,
    customerId: record.customerId,
    idempotencyKey: record.idempotencyKey,
    requestHash: record.requestHash,
    orderId: record.orderId,
    createdAt: record.createdAt,
    expiresAt: ttlFromNow(ORDER_LIMITS.idempotencyTtlSeconds, record.nowMs),
  };
}

export function toIdempotencyRecord(
  item: Item | null | undefined,
  nowSeconds: number,
): IdempotencyRecord | null {
  // TTL deletion is lazy (and DynamoDB Local never deletes): an expired record is absent.
  if (!item || typeof item.expiresAt !== 'number' || item.expiresAt < nowSeconds) return null;
  return {
    requestHash: read.string(item, 'requestHash'),
    orderId: read.string(item, 'orderId'),
    expiresAt: item.expiresAt,
  };
}
