import { z } from 'zod';
import type { OrderStatus } from '../domain/order-status.js';
import type { Order } from '../domain/orders.js';
import { ClientError, CursorError } from '../errors/client.js';
import {
  ORDER_TIME_MAX,
  ORDER_TIME_MIN,
  orderHistoryQuery,
  orderKey,
  orderStatusSortKey,
  ordersByStatusQuery,
  toOrder,
} from '../models/order.js';
import type { Item } from '../store/batch-get.js';
import type { CursorCodec } from '../store/cursor.js';
import {
  type Page,
  type PageArgs,
  pageOf,
  pageSize,
  pickKey,
  queryItems,
  queryPage,
  type StartKey,
  startKeySchema,
} from '../store/paginate.js';
import type { RequestDb, SendOptions } from '../store/request-db.js';
import { getConsistentItem, getMany, type RepositoryLimits } from './items.js';
import { LookAhead, pageKey } from './look-ahead.js';
import { OrderPlacement, type PlaceOrderRequest } from './order-placement.js';
import { OrderStatusChanges } from './order-status-changes.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).
export type { PlaceOrderRequest } from './order-placement.js';

/** The cursor of ordersByStatus: one position per shard; null when a shard is exhausted. */
const shardCursorSchema = z.object({ s: z.array(startKeySchema.nullable().or(z.literal(0))) });
type ShardPosition = StartKey | null | 0; // 0: not started, null: exhausted

/**
 * Orders: reading and listing here; placing an order (with its idempotency record and the
 * settling of unknown outcomes) in order-placement.ts; status changes in order-status-changes.ts.
 */
export type HistoryArgs = PageArgs & { from?: string | null; to?: string | null };

export class OrderRepository {
  readonly #lookAhead = new LookAhead<Page<Order>>();

  readonly #placement: OrderPlacement;
  readonly #statusChanges: OrderStatusChanges;

  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
    private readonly shards: number,
    limits: RepositoryLimits = {},
  ) {
    this.#placement = new OrderPlacement(db, shards, limits, this);
    this.#statusChanges = new OrderStatusChanges(db, this);
  }

  /** Access pattern 9: orders by (customer, order) id, batched; a missing one is null. */
  getMany(refs: ReadonlyArray<{ customerId: string; orderId: string }>) {
    return getMany(this.db.items, refs, (ref) => orderKey(ref.customerId, ref.orderId), toOrder);
  }

  async getConsistent(
    customerId: string,
    orderId: string,
    options: SendOptions = {},
  ): Promise<Order | null> {
    const item = await getConsistentItem(this.db, orderKey(customerId, orderId), options);
    return item ? toOrder(item) : null;
  }

  /**
   * Access pattern 8: a customer's orders, newest first, optionally within [from, to]:
   * `PK = CUSTOMER#cid AND SK BETWEEN ORDER#<ulid lo> AND ORDER#<ulid hi>`, read backwards.
   */
  history(customerId: string, args: HistoryArgs, binding: string): Promise<Page<Order>> {
    return this.#lookAhead.take(pageKey(customerId, binding, args), () =>
      this.#history(customerId, args, binding),
    );
  }

  /**
   * Starts `history` with the profile's read (the `me` look-ahead in
   * src/schema/types/customer.ts): the orders Query needs only the viewer's id.
   */
  prefetchHistory(customerId: string, args: HistoryArgs, binding: string): void {
    this.#lookAhead.start(pageKey(customerId, binding, args), () =>
      this.db.alongsideNextBatch(() => this.#history(customerId, args, binding)),
    );
  }

  #history(customerId: string, args: HistoryArgs, binding: string): Promise<Page<Order>> {
    const from = args.from ? Date.parse(args.from) : ORDER_TIME_MIN;
    const to = args.to ? Date.parse(args.to) : ORDER_TIME_MAX;
    if (from > to) throw new ClientError('`from` must not be after `to`');
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      query: orderHistoryQuery(customerId, from, to),
      scanIndexForward: false,
      map: (item) => {
        this.db.prime(item);
        return toOrder(item);
      },
    });
  }

  /**
   * Access pattern 10: orders in a status, newest first, across the write shards of GSI2.
   * Every shard is queried in parallel and the results merged by sort key; the cursor keeps
   * each shard's position, so no order is skipped or repeated, and hasNextPage is exact.
   */
  async byStatus(status: OrderStatus, args: PageArgs, binding: string): Promise<Page<Order>> {
    const first = pageSize(args.first);
    let positions: ShardPosition[] = Array.from({ length: this.shards }, () => 0);
    if (args.after != null) {
      const decoded = this.cursors.decode(binding, args.after, shardCursorSchema).s;
      if (decoded.length !== this.shards) throw new CursorError();
      positions = decoded;
    }
    const keyAttributes = ordersByStatusQuery(status, 0).keyAttributes;
    // Each shard is read until it holds first + 1 items or is exhausted.
    const buffers = await Promise.all(
      positions.map(async (position, shard) => {
        if (position === null) return { items: [] as Item[], exhausted: true };
        const { items, lastKey } = await queryItems(
          this.db,
          { ...ordersByStatusQuery(status, shard).input, ScanIndexForward: false },
          first + 1,
          { startKey: position === 0 ? undefined : position, limitEachCall: true },
        );
        return { items, exhausted: lastKey === undefined };
      }),
    );
    const edges: Page<Order>['edges'] = [];
    const taken = buffers.map(() => 0);
    const current = [...positions];
    while (edges.length < first) {
      let best = -1;
      for (let shard = 0; shard < buffers.length; shard++) {
        const candidate = buffers[shard]?.items[taken[shard] ?? 0];
        if (!candidate) continue;
        const bestItem = best >= 0 ? buffers[best]?.items[taken[best] ?? 0] : undefined;
        if (!bestItem || orderStatusSortKey(candidate) > orderStatusSortKey(bestItem)) {
          best = shard;
        }
      }
      if (best < 0) break;
      const buffer = buffers[best]!;
      const item = buffer.items[taken[best]!]!;
      taken[best] = taken[best]! + 1;
      const drained = taken[best] === buffer.items.length && buffer.exhausted;
      current[best] = drained ? null : pickKey(item, keyAttributes);
      this.db.prime(item);
      edges.push({ cursor: this.cursors.encode(binding, { s: current }), node: toOrder(item) });
    }
    const hasNextPage = buffers.some(
      (buffer, shard) => taken[shard]! < buffer.items.length || !buffer.exhausted,
    );
    return pageOf(edges, hasNextPage, args);
  }

  /** Access pattern 11 (order-placement.ts). */
  place(request: PlaceOrderRequest): Promise<Order> {
    return this.#placement.place(request);
  }

  /** Access pattern 12 (order-status-changes.ts). */
  cancel(customerId: string, orderId: string): Promise<Order> {
    return this.#statusChanges.cancel(customerId, orderId);
  }

  /** Access pattern 13 (order-status-changes.ts). */
  setStatus(customerId: string, orderId: string, to: OrderStatus): Promise<Order> {
    return this.#statusChanges.setStatus(customerId, orderId, to);
  }
}
