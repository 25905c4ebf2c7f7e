import { ulid } from 'ulid';
import {
  clientRequestToken,
  type Order,
  type OrderLine,
  orderRequestHash,
  type RequestedLine,
  shardOf,
} from '../domain/orders.js';
import type { Product } from '../domain/types.js';
import { ClientError } from '../errors/client.js';
import { NotFoundError, OutOfStockError } from '../errors/domain.js';
import { TokenReusedError, WriteOutcomeUnknownError } from '../errors/store.js';
import { cartLineKey } from '../models/cart-line.js';
import { customerKey } from '../models/customer.js';
import { idempotencyRecordItem, toIdempotencyRecord } from '../models/idempotency.js';
import { inventoryKey } from '../models/inventory.js';
import { orderItem } from '../models/order.js';
import { productKey, toProduct } from '../models/product.js';
import { nowSeconds } from '../models/table-schema.js';
import { assertItemFits } from '../store/item-size.js';
import type { RequestDb } from '../store/request-db.js';
import {
  type TransactItem,
  TransactionCancelled,
  transactWrite,
  withOldItem,
} from '../store/transact.js';
import type { RepositoryLimits } from './items.js';
import { OrderIdempotency, type OrderReader } from './order-idempotency.js';

export interface PlaceOrderRequest {
  customerId: string;
  idempotencyKey: string;
  lines?: readonly RequestedLine[] | null;
  fromCart?: boolean | null;
  /** The customer's live cart lines, read (strongly consistent) only for `fromCart`. */
  cartLines: () => Promise<RequestedLine[]>;
}

/**
 * Placing an order (access pattern 11), with what makes it safe to send again: the idempotency
 * record, the transaction's ClientRequestToken, and the settling of an unknown outcome.
 */
export class OrderPlacement {
  readonly #idempotency: OrderIdempotency;

  constructor(
    private readonly db: RequestDb,
    private readonly shards: number,
    private readonly limits: RepositoryLimits,
    orders: OrderReader,
  ) {
    this.#idempotency = new OrderIdempotency(db, orders);
  }

  /**
   * One TransactWriteItems takes the stock of every line (never below 0), writes the order and
   * its idempotency record, counts the order on the profile and clears the cart lines it
   * consumed. The same idempotency key with the same request answers the first order; with
   * another request, IdempotencyKeyReusedError.
   */
  async place(request: PlaceOrderRequest): Promise<Order> {
    const { customerId, idempotencyKey } = request;
    const requestHash = orderRequestHash(request);
    const nowSecs = nowSeconds();

    const existing = await this.#idempotency.existing(customerId, idempotencyKey, nowSecs);
    if (existing)
      return this.#idempotency.replay(customerId, idempotencyKey, requestHash, existing);

    const lines = request.fromCart ? await request.cartLines() : [...(request.lines ?? [])];
    // Prices are read strongly consistent: the order charges what the product costs now. The
    // stock rides in the same BatchGetItem: a line it cannot cover is out of stock without a
    // transaction (most of a flash-sale crowd, once the sale is sold out). The transaction's
    // conditions still decide every order that is sent.
    const [products, stocks] = await Promise.all([
      this.db.consistentItems.loadMany(lines.map((l) => productKey(l.productId))),
      this.db.consistentItems.loadMany(lines.map((l) => inventoryKey(l.productId))),
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
          Key: inventoryKey(line.productId),
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
          Item: idempotencyRecordItem({
            customerId,
            idempotencyKey,
            requestHash,
            orderId: order.id,
            createdAt: order.createdAt,
            nowMs: now.getTime(),
          }),
          // An expired record (TTL deletes lazily) does not block the key.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSecs },
        },
      }),
      {
        Update: {
          TableName: table,
          Key: customerKey(customerId),
          UpdateExpression: 'SET orderCount = if_not_exists(orderCount, :zero) + :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        },
      },
      ...(request.fromCart
        ? orderLines.map(
            (line): TransactItem => ({
              Delete: { TableName: table, Key: cartLineKey(customerId, line.productId) },
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
        const record = await this.#idempotency.awaitRecord(customerId, idempotencyKey);
        if (record)
          return this.#idempotency.replay(customerId, idempotencyKey, requestHash, record);
        await transactWrite(this.db, actions);
      }
    } catch (error) {
      if (error instanceof WriteOutcomeUnknownError) {
        return this.#idempotency.settleUnknown(order, idempotencyKey, requestHash);
      }
      if (!(error instanceof TransactionCancelled)) throw error;
      const reasons = error.reasons;
      const failed = (i: number) => reasons[i]?.code === 'ConditionalCheckFailed';
      if (failed(idempotencyIndex)) {
        const record =
          toIdempotencyRecord(reasons[idempotencyIndex]?.item, nowSecs) ??
          (await this.#idempotency.awaitRecord(customerId, idempotencyKey));
        if (record)
          return this.#idempotency.replay(customerId, idempotencyKey, requestHash, record);
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
}
