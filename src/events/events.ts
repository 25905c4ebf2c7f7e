import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isOrderStatus, type OrderStatus } from '../domain/order-status.js';
import { CATEGORY_ENTITY } from '../models/category.js';
import { INVENTORY_ENTITY } from '../models/inventory.js';
import { ORDER_ENTITY } from '../models/order.js';
import { PRODUCT_ENTITY } from '../models/product.js';

/** What the stream tells the rest of the gateway, whoever made the write. */
export type ShopEvent =
  | { type: 'stock'; productId: string; stock: number; item: Record<string, unknown> }
  | {
      type: 'order';
      customerId: string;
      orderId: string;
      status: OrderStatus;
      previousStatus: OrderStatus | null;
      item: Record<string, unknown>;
    }
  | { type: 'product'; productId: string; change: 'created' | 'updated' | 'removed' }
  | { type: 'category'; slug: string };

/** The part of a DynamoDB Streams record this module reads. */
export interface StreamRecordLike {
  eventName?: string | undefined;
  dynamodb?:
    | {
        NewImage?: Record<string, AttributeValue> | undefined;
        OldImage?: Record<string, AttributeValue> | undefined;
      }
    | undefined;
}

const image = (raw: Record<string, AttributeValue> | undefined) =>
  raw ? (unmarshall(raw) as Record<string, unknown>) : undefined;

/**
 * Turns one stream record (NEW_AND_OLD_IMAGES) into typed events, by the item's `entity`.
 * Records of other entities (cart lines, claims, idempotency records) make no event.
 */
export function eventsFromRecord(record: StreamRecordLike): ShopEvent[] {
  const next = image(record.dynamodb?.NewImage);
  const previous = image(record.dynamodb?.OldImage);
  const item = next ?? previous;
  if (!item) return [];
  switch (item.entity) {
    case INVENTORY_ENTITY: {
      if (!next || typeof next.productId !== 'string' || typeof next.stock !== 'number') return [];
      if (previous && previous.stock === next.stock) return [];
      return [{ type: 'stock', productId: next.productId, stock: next.stock, item: next }];
    }
    case ORDER_ENTITY: {
      if (!next || typeof next.customerId !== 'string' || typeof next.id !== 'string') return [];
      if (!isOrderStatus(next.status)) return [];
      const before = previous && isOrderStatus(previous.status) ? previous.status : null;
      if (before === next.status) return [];
      return [
        {
          type: 'order',
          customerId: next.customerId,
          orderId: next.id,
          status: next.status,
          previousStatus: before,
          item: next,
        },
      ];
    }
    case PRODUCT_ENTITY: {
      if (typeof item.id !== 'string') return [];
      const change = !previous ? 'created' : !next ? 'removed' : 'updated';
      return [{ type: 'product', productId: item.id, change }];
    }
    case CATEGORY_ENTITY: {
      if (typeof item.slug !== 'string') return [];
      return [{ type: 'category', slug: item.slug }];
    }
    default:
      return [];
  }
}
