import { createHash } from 'node:crypto';
import type { OrderStatus } from './order-status.js';

export interface OrderLine {
  productId: string;
  quantity: number;
  /** The price when the order was placed: an order's lines never change. */
  unitPriceCents: number;
  /** The product name when the order was placed, for receipts. */
  productName: string;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  /** The write shard of the orders-by-status index, fixed at creation. */
  shard: number;
}

export interface RequestedLine {
  productId: string;
  quantity: number;
}

/**
 * Limits checked before any write (DESIGN.md pattern 11: bounded, embedded lines); the input
 * rules built on them are in validation.ts.
 */
export const ORDER_LIMITS = {
  maxLines: 25,
  minQuantity: 1,
  maxQuantity: 99,
  idempotencyKey: /^[A-Za-z0-9_.:-]{1,100}$/,
  idempotencyTtlSeconds: 24 * 60 * 60,
} as const;

/** What makes two requests "the same" for idempotency: the lines, in a canonical order. */
export function orderRequestHash(request: {
  lines?: readonly RequestedLine[] | null;
  fromCart?: boolean | null;
}): string {
  const canonical = request.lines
    ? {
        lines: [...request.lines]
          .map((l) => [l.productId, l.quantity] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      }
    : { fromCart: true };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** TransactWriteItems' ClientRequestToken (at most 36 characters), from customer and key. */
export function clientRequestToken(customerId: string, idempotencyKey: string): string {
  return createHash('sha256')
    .update(`${customerId}\n${idempotencyKey}`)
    .digest('base64url')
    .slice(0, 36);
}

/** A stable shard for an order id (FNV-1a), so every status change stays on the same shard. */
export function shardOf(orderId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    hash ^= orderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** An order's global id carries its customer: the partition is known without a lookup. */
export function orderNodeId(customerId: string, orderId: string): string {
  return `${customerId}:${orderId}`;
}

export function parseOrderNodeId(id: string): { customerId: string; orderId: string } | null {
  const at = id.lastIndexOf(':');
  if (at <= 0 || at === id.length - 1) return null;
  return { customerId: id.slice(0, at), orderId: id.slice(at + 1) };
}
