import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime, ulid } from 'ulid';
import { z } from 'zod';
import { allowedSources, canTransition, type OrderStatus } from '../domain/order-status.js';
import {
  clientRequestToken,
  ORDER_LIMITS,
  type Order,
  type OrderLine,
  orderRequestHash,
  type RequestedLine,
  shardOf,
} from '../domain/orders.js';
import type { Product } from '../domain/types.js';
import { ClientError } from '../errors/client.js';
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotFoundError,
  OrderOutcomeUnknownError,
  OutOfStockError,
} from '../errors/domain.js';
import { WriteOutcomeUnknownError } from '../errors/store.js';
import type { Item } from '../store/batch-get.js';
import { type CursorCodec, CursorError } from '../store/cursor.js';
import { assertItemFits } from '../store/item-size.js';
import { keys, type TableKey, ttlFromNow } from '../store/keys.js';
import {
  type Page,
  type PageArgs,
  pageSize,
  pickKey,
  queryPage,
  type StartKey,
  startKeySchema,
} from '../store/paginate.js';
import type { RequestDb, SendOptions } from '../store/request-db.js';
import {
  TokenReusedError,
  type TransactItem,
  TransactionCancelled,
  transactWrite,
  withOldItem,
} from '../store/transact.js';
import { isOwnWrite, newWriteToken, tokenUpdate } from '../store/write-token.js';
import { loadItems, type RepositoryLimits, read } from './items.js';
import { toProduct } from './products.js';

export const ORDER_ENTITY = 'Order';
export const IDEMPOTENCY_ENTITY = 'IdempotencyRecord';

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
    ...keys.order(order.customerId, order.id),
    entity: ORDER_ENTITY,
    ...order,
    ...keys.orderByStatus(order.status, order.shard, order.createdAt, order.id),
  };
}

interface IdempotencyRecord {
  requestHash: string;
  orderId: string;
  expiresAt: number;
}

function toIdempotencyRecord(
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

export interface PlaceOrderRequest {
  customerId: string;
  idempotencyKey: string;
  lines?: readonly RequestedLine[] | null;
  fromCart?: boolean | null;
  /** The customer's live cart lines, read (strongly consistent) only for `fromCart`. */
  cartLines: () => Promise<RequestedLine[]>;
}

/** The cursor of ordersByStatus: one position per shard; null when a shard is exhausted. */
const shardCursorSchema = z.object({ s: z.array(startKeySchema.nullable().or(z.literal(0))) });
type ShardPosition = StartKey | null | 0; // 0: not started, null: exhausted

const ORDER_KEY = ['PK', 'SK'] as const;
const GSI2_KEY = ['PK', 'SK', 'GSI2PK', 'GSI2SK'] as const;
const ULID_RANDOM_MIN = '0000000000000000';
const ULID_RANDOM_MAX = 'ZZZZZZZZZZZZZZZZ';

export class OrderRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
    private readonly shards: number,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 9: orders by (customer, order) id, batched; a missing one is null. */
  async getMany(refs: ReadonlyArray<{ customerId: string; orderId: string }>) {
    const items = await loadItems(
      this.db.items,
      refs.map((r) => keys.order(r.customerId, r.orderId)),
    );
    return items.map((item) => (item instanceof Error || item === null ? item : toOrder(item)));
  }

  async getConsistent(
    customerId: string,
    orderId: string,
    options: SendOptions = {},
  ): Promise<Order | null> {
    const output = await this.db.send<{ Item?: Item }>(
      new GetCommand({
        TableName: this.db.tableName,
        Key: keys.order(customerId, orderId),
        ConsistentRead: true,
      }),
      options,
    );
    return output.Item ? toOrder(output.Item) : null;
  }

  /**
   * Access pattern 8: a customer's orders, newest first, optionally within [from, to]:
   * `PK = CUSTOMER#cid AND SK BETWEEN ORDER#<ulid lo> AND ORDER#<ulid hi>`, read backwards.
   * ULIDs start with their time, so a date range is a key range.
   */
  history(
    customerId: string,
    args: PageArgs & { from?: string | null; to?: string | null },
    binding: string,
  ): Promise<Page<Order>> {
    const from = args.from ? Date.parse(args.from) : 0;
    const to = args.to ? Date.parse(args.to) : 281474976710655; // ULID's maximum time
    if (from > to) throw new ClientError('`from` must not be after `to`');
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      keyAttributes: ORDER_KEY,
      input: {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: {
          ':pk': keys.customerPartition(customerId),
          ':lo': `${keys.orderPrefix()}${encodeTime(from, 10)}${ULID_RANDOM_MIN}`,
          ':hi': `${keys.orderPrefix()}${encodeTime(to, 10)}${ULID_RANDOM_MAX}`,
        },
        ScanIndexForward: false,
      },
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
    // Each shard is read until it holds first + 1 items or is exhausted.
    const buffers = await Promise.all(
      positions.map(async (position, shard) => {
        const items: Item[] = [];
        if (position === null) return { items, exhausted: true };
        let startKey = position === 0 ? undefined : position;
        do {
          const output = await this.db.query({
            IndexName: 'GSI2',
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'GSI2PK' },
            ExpressionAttributeValues: { ':pk': keys.orderStatusPartition(status, shard) },
            ScanIndexForward: false,
            Limit: first + 1 - items.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          });
          items.push(...(output.Items ?? []));
          startKey = output.LastEvaluatedKey as StartKey | undefined;
        } while (items.length <= first && startKey);
        return { items, exhausted: startKey === undefined };
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
        if (!bestItem || String(candidate.GSI2SK) > String(bestItem.GSI2SK)) best = shard;
      }
      if (best < 0) break;
      const buffer = buffers[best]!;
      const item = buffer.items[taken[best]!]!;
      taken[best] = taken[best]! + 1;
      const drained = taken[best] === buffer.items.length && buffer.exhausted;
      current[best] = drained ? null : pickKey(item, GSI2_KEY);
      this.db.prime(item);
      edges.push({ cursor: this.cursors.encode(binding, { s: current }), node: toOrder(item) });
    }
    const hasNextPage = buffers.some(
      (buffer, shard) => taken[shard]! < buffer.items.length || !buffer.exhausted,
    );
    return {
      edges,
      pageInfo: {
        hasNextPage,
        hasPreviousPage: args.after != null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  /**
   * Access pattern 11: one TransactWriteItems takes the stock of every line (never below 0),
   * writes the order and its idempotency record, counts the order on the profile and clears the
   * cart lines it consumed. The same idempotency key with the same request answers the first
   * order; with another request, IdempotencyKeyReusedError.
   */
  async place(request: PlaceOrderRequest): Promise<Order> {
    const { customerId, idempotencyKey } = request;
    const requestHash = orderRequestHash(request);
    const nowSeconds = Math.floor(Date.now() / 1000);

    const existing = toIdempotencyRecord(
      await this.db.consistentItems.load(keys.idempotency(customerId, idempotencyKey)),
      nowSeconds,
    );
    if (existing) return this.#replay(customerId, idempotencyKey, requestHash, existing);

    const lines = request.fromCart ? await request.cartLines() : [...(request.lines ?? [])];
    // Prices are read strongly consistent: the order charges what the product costs now. The
    // stock rides in the same BatchGetItem: a line it cannot cover is out of stock without a
    // transaction (most of a flash-sale crowd, once the sale is sold out). The transaction's
    // conditions still decide every order that is sent.
    const [products, stocks] = await Promise.all([
      this.db.consistentItems.loadMany(lines.map((l) => keys.product(l.productId))),
      this.db.consistentItems.loadMany(lines.map((l) => keys.inventory(l.productId))),
    ]);
    const orderLines: OrderLine[] = lines.map((line, i) => {
      const item = products[i];
      if (item instanceof Error) throw item;
      if (!item)
        throw new NotFoundError('Product', line.productId, `Product not found (line ${i + 1})`);
      const product: Product = toProduct(item);
      return {
        productId: product.id,
        quantity: line.quantity,
        unitPriceCents: product.priceCents,
        productName: product.name,
      };
    });
    orderLines.forEach((line, i) => {
      const stock = stocks[i];
      if (stock instanceof Error) throw stock;
      if (stock && typeof stock.stock === 'number' && stock.stock < line.quantity) {
        throw new OutOfStockError(line.productId, line.quantity, stock.stock, line.productName);
      }
    });
    const currencies = new Set(
      products.map((item) => (item && !(item instanceof Error) ? String(item.currency) : 'USD')),
    );
    if (currencies.size > 1) {
      throw new ClientError('An order cannot mix currencies', 'BAD_USER_INPUT');
    }

    const now = new Date();
    const id = ulid(now.getTime());
    const order: Order = {
      id,
      customerId,
      status: 'PENDING',
      lines: orderLines,
      totalCents: orderLines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0),
      currency: [...currencies][0] ?? 'USD',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      shard: shardOf(id, this.shards),
    };

    const newItem = orderItem(order);
    // The lines (with their product names) are what grows: name the field they came from.
    assertItemFits(newItem, {
      maxBytes: this.limits.maxItemBytes,
      fields: { lines: request.fromCart ? 'input.fromCart' : 'input.lines' },
    });

    const table = this.db.tableName;
    const stockActions: TransactItem[] = orderLines.map((line) =>
      withOldItem({
        Update: {
          TableName: table,
          Key: keys.inventory(line.productId),
          UpdateExpression: 'SET stock = stock - :q, updatedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND stock >= :q',
          ExpressionAttributeValues: { ':q': line.quantity, ':now': order.createdAt },
        },
      }),
    );
    const orderIndex = stockActions.length;
    const idempotencyIndex = orderIndex + 1;
    const profileIndex = orderIndex + 2;
    const actions: TransactItem[] = [
      ...stockActions,
      {
        Put: {
          TableName: table,
          Item: newItem,
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      withOldItem({
        Put: {
          TableName: table,
          Item: {
            ...keys.idempotency(customerId, idempotencyKey),
            entity: IDEMPOTENCY_ENTITY,
            customerId,
            idempotencyKey,
            requestHash,
            orderId: order.id,
            createdAt: order.createdAt,
            expiresAt: ttlFromNow(ORDER_LIMITS.idempotencyTtlSeconds, now.getTime()),
          },
          // An expired record (TTL deletes lazily) does not block the key.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        },
      }),
      {
        Update: {
          TableName: table,
          Key: keys.customer(customerId),
          UpdateExpression: 'SET orderCount = if_not_exists(orderCount, :zero) + :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        },
      },
      ...(request.fromCart
        ? orderLines.map(
            (line): TransactItem => ({
              Delete: { TableName: table, Key: keys.cartLine(customerId, line.productId) },
            }),
          )
        : []),
    ];

    try {
      try {
        await transactWrite(this.db, actions, {
          clientRequestToken: clientRequestToken(customerId, idempotencyKey),
        });
      } catch (error) {
        // The token was used in the last 10 minutes with other parameters: a concurrent or
        // earlier request with this key. Its record decides; without one (that request failed)
        // this request goes ahead without the token, guarded by the record's condition.
        if (!(error instanceof TokenReusedError)) throw error;
        const record = await this.#awaitRecord(customerId, idempotencyKey);
        if (record) return this.#replay(customerId, idempotencyKey, requestHash, record);
        await transactWrite(this.db, actions);
      }
    } catch (error) {
      if (error instanceof WriteOutcomeUnknownError) {
        return this.#settleUnknown(order, idempotencyKey, requestHash);
      }
      if (!(error instanceof TransactionCancelled)) throw error;
      const reasons = error.reasons;
      const failed = (i: number) => reasons[i]?.code === 'ConditionalCheckFailed';
      if (failed(idempotencyIndex)) {
        const record =
          toIdempotencyRecord(reasons[idempotencyIndex]?.item, nowSeconds) ??
          (await this.#awaitRecord(customerId, idempotencyKey));
        if (record) return this.#replay(customerId, idempotencyKey, requestHash, record);
      }
      if (failed(profileIndex)) {
        throw new NotFoundError(
          'Customer',
          customerId,
          'No profile yet: call createProfile before ordering',
        );
      }
      const outOfStock = stockActions.findIndex((_, i) => failed(i));
      if (outOfStock >= 0) {
        const line = orderLines[outOfStock]!;
        const available = reasons[outOfStock]?.item?.stock;
        throw new OutOfStockError(
          line.productId,
          line.quantity,
          typeof available === 'number' ? available : 0,
          line.productName,
        );
      }
      throw error;
    }
    this.db.prime(newItem);
    return order;
  }

  /** Cancel (access pattern 12): the status changes and the stock comes back, in one transaction. */
  async cancel(customerId: string, orderId: string): Promise<Order> {
    const order = await this.getConsistent(customerId, orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    if (!canTransition(order.status, 'CANCELLED')) {
      throw new InvalidTransitionError(order.status, 'CANCELLED');
    }
    const now = new Date().toISOString();
    const sources = allowedSources('CANCELLED');
    const table = this.db.tableName;
    try {
      await transactWrite(this.db, [
        withOldItem({
          Update: {
            TableName: table,
            Key: keys.order(customerId, orderId),
            UpdateExpression: 'SET #status = :to, GSI2PK = :gsi2pk, updatedAt = :now',
            ConditionExpression: `#status IN (${sources.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': 'CANCELLED',
              ':gsi2pk': keys.orderStatusPartition('CANCELLED', order.shard),
              ':now': now,
              ...Object.fromEntries(sources.map((s, i) => [`:from${i}`, s])),
            },
          },
        }),
        ...order.lines.map(
          (line): TransactItem => ({
            Update: {
              TableName: table,
              Key: keys.inventory(line.productId),
              UpdateExpression: 'SET stock = stock + :q, updatedAt = :now',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeValues: { ':q': line.quantity, ':now': now },
            },
          }),
        ),
      ]);
    } catch (error) {
      if (
        error instanceof TransactionCancelled &&
        error.reasons[0]?.code === 'ConditionalCheckFailed'
      ) {
        const current = error.reasons[0].item?.status;
        throw new InvalidTransitionError(
          typeof current === 'string' ? current : order.status,
          'CANCELLED',
        );
      }
      throw error;
    }
    const cancelled: Order = { ...order, status: 'CANCELLED', updatedAt: now };
    this.db.prime(orderItem(cancelled));
    return cancelled;
  }

  /** Access pattern 13 (admin): UpdateItem IF status = :from, allowed transitions only. */
  async setStatus(customerId: string, orderId: string, to: OrderStatus): Promise<Order> {
    if (to === 'CANCELLED') return this.cancel(customerId, orderId);
    const order = await this.getConsistent(customerId, orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    if (!canTransition(order.status, to)) throw new InvalidTransitionError(order.status, to);
    const now = new Date().toISOString();
    // The token tells a re-send that met its own first send from another writer's move.
    const token = newWriteToken();
    try {
      await this.db.send(
        new UpdateCommand(
          tokenUpdate(
            {
              TableName: this.db.tableName,
              Key: keys.order(customerId, orderId),
              UpdateExpression: 'SET #status = :to, GSI2PK = :gsi2pk, updatedAt = :now',
              ConditionExpression: '#status = :from',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':to': to,
                ':from': order.status,
                ':gsi2pk': keys.orderStatusPartition(to, order.shard),
                ':now': now,
              },
            },
            token,
          ),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!isOwnWrite(error, token)) {
        // Someone moved it first: report from where it is now.
        const current = await this.getConsistent(customerId, orderId);
        throw new InvalidTransitionError(current?.status ?? order.status, to);
      }
    }
    const moved: Order = { ...order, status: to, updatedAt: now };
    this.db.prime(orderItem(moved));
    return moved;
  }

  /**
   * The transaction went out and neither it nor its re-sends with the same ClientRequestToken
   * got an answer: the idempotency record, read strongly consistent, says whether the order
   * exists. Without an answer, or without a record (a send may still be on its way), the outcome
   * is unknown, and the client is told to retry with the same key, which is always safe.
   */
  async #settleUnknown(sent: Order, idempotencyKey: string, requestHash: string): Promise<Order> {
    const { customerId } = sent;
    try {
      const output = await this.db.send<{ Item?: Item }>(
        new GetCommand({
          TableName: this.db.tableName,
          Key: keys.idempotency(customerId, idempotencyKey),
          ConsistentRead: true,
        }),
        { settling: true },
      );
      const record = toIdempotencyRecord(output.Item, Math.floor(Date.now() / 1000));
      // The record and the order are written by one transaction: this one, or a concurrent
      // request's with the same key.
      if (record?.orderId === sent.id) {
        this.db.prime(orderItem(sent));
        return sent;
      }
      if (record) return await this.#replay(customerId, idempotencyKey, requestHash, record, true);
    } catch (error) {
      if (error instanceof IdempotencyKeyReusedError) throw error;
    }
    throw new OrderOutcomeUnknownError(idempotencyKey);
  }

  async #replay(
    customerId: string,
    idempotencyKey: string,
    requestHash: string,
    record: IdempotencyRecord,
    settling = false,
  ): Promise<Order> {
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError(idempotencyKey);
    const order = await this.getConsistent(customerId, record.orderId, { settling });
    if (!order) throw new Error(`idempotency record points to a missing order ${record.orderId}`);
    return order;
  }

  /** A concurrent request with the same key may not have committed yet: wait briefly for it. */
  async #awaitRecord(
    customerId: string,
    idempotencyKey: string,
  ): Promise<IdempotencyRecord | null> {
    const key: TableKey = keys.idempotency(customerId, idempotencyKey);
    for (let attempt = 0; attempt < 5; attempt++) {
      const output = await this.db.send<{ Item?: Item }>(
        new GetCommand({ TableName: this.db.tableName, Key: key, ConsistentRead: true }),
      );
      const record = toIdempotencyRecord(output.Item, Math.floor(Date.now() / 1000));
      if (record) return record;
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
    return null;
  }
}
