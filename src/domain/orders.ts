import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
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

/** Limits checked before any write (DESIGN.md pattern 11: bounded, embedded lines). */
export const ORDER_LIMITS = {
  maxLines: 25,
  minQuantity: 1,
  maxQuantity: 99,
  idempotencyKey: /^[A-Za-z0-9_.:-]{1,100}$/,
  idempotencyTtlSeconds: 24 * 60 * 60,
} as const;

/** Checks an order request; throws a ValidationError naming the field, before anything is read. */
export function validateOrderRequest(input: {
  idempotencyKey: string;
  lines?: readonly RequestedLine[] | null;
  fromCart?: boolean | null;
}): void {
  if (!ORDER_LIMITS.idempotencyKey.test(input.idempotencyKey)) {
    throw new ValidationError(
      'input.idempotencyKey',
      '1 to 100 characters of A-Z, a-z, 0-9 and _ . : - (a UUID or ULID is a good key)',
    );
  }
  const hasLines = input.lines != null;
  if (hasLines === (input.fromCart === true)) {
    throw new ValidationError(
      'input',
      'give either `lines` or `fromCart: true`, not both or neither',
    );
  }
  if (input.lines) validateLines(input.lines, 'input.lines');
}

export function validateLines(lines: readonly RequestedLine[], field: string): void {
  if (lines.length === 0) throw new ValidationError(field, 'an order needs at least one line');
  if (lines.length > ORDER_LIMITS.maxLines) {
    throw new ValidationError(
      field,
      `at most ${ORDER_LIMITS.maxLines} distinct products per order`,
    );
  }
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (
      !Number.isInteger(line.quantity) ||
      line.quantity < ORDER_LIMITS.minQuantity ||
      line.quantity > ORDER_LIMITS.maxQuantity
    ) {
      throw new ValidationError(
        `${field}.${i}.quantity`,
        `must be between ${ORDER_LIMITS.minQuantity} and ${ORDER_LIMITS.maxQuantity}`,
      );
    }
    if (seen.has(line.productId)) {
      throw new ValidationError(`${field}.${i}.productId`, 'each product may appear once');
    }
    seen.add(line.productId);
  });
}

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
