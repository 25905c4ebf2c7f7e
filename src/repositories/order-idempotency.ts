import type { Order } from '../domain/orders.js';
import { IdempotencyKeyReusedError, OrderOutcomeUnknownError } from '../errors/domain.js';
import {
  type IdempotencyRecord,
  idempotencyRecordKey,
  toIdempotencyRecord,
} from '../models/idempotency.js';
import { orderItem } from '../models/order.js';
import { nowSeconds } from '../models/table-schema.js';
import type { RequestDb, SendOptions } from '../store/request-db.js';
import { getConsistentItem } from './items.js';

/** What answering from an idempotency record needs: the order it names. */
export interface OrderReader {
  getConsistent(customerId: string, orderId: string, options?: SendOptions): Promise<Order | null>;
}

/**
 * placeOrder's idempotency records: a request sent again with the same key answers the order
 * the first one made, and a transaction of unknown outcome is settled by reading its record.
 */
export class OrderIdempotency {
  constructor(
    private readonly db: RequestDb,
    private readonly orders: OrderReader,
  ) {}

  /** The live record of a key, read through the request's consistent batch. */
  async existing(
    customerId: string,
    idempotencyKey: string,
    nowSecs: number,
  ): Promise<IdempotencyRecord | null> {
    const key = idempotencyRecordKey(customerId, idempotencyKey);
    return toIdempotencyRecord(await this.db.consistentItems.load(key), nowSecs);
  }

  /**
   * The transaction went out and neither it nor its re-sends with the same ClientRequestToken
   * got an answer: the idempotency record, read strongly consistent, says whether the order
   * exists. Without an answer, or without a record (a send may still be on its way), the outcome
   * is unknown, and the client is told to retry with the same key, which is always safe.
   */
  async settleUnknown(sent: Order, idempotencyKey: string, requestHash: string): Promise<Order> {
    const { customerId } = sent;
    try {
      const item = await getConsistentItem(
        this.db,
        idempotencyRecordKey(customerId, idempotencyKey),
        { settling: true },
      );
      const record = toIdempotencyRecord(item, nowSeconds());
      // The record and the order are written by one transaction: this one, or a concurrent
      // request's with the same key.
      if (record?.orderId === sent.id) {
        this.db.prime(orderItem(sent));
        return sent;
      }
      if (record) return await this.replay(customerId, idempotencyKey, requestHash, record, true);
    } catch (error) {
      if (error instanceof IdempotencyKeyReusedError) throw error;
    }
    throw new OrderOutcomeUnknownError(idempotencyKey);
  }

  async replay(
    customerId: string,
    idempotencyKey: string,
    requestHash: string,
    record: IdempotencyRecord,
    settling = false,
  ): Promise<Order> {
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError(idempotencyKey);
    const order = await this.orders.getConsistent(customerId, record.orderId, { settling });
    if (!order) throw new Error(`idempotency record points to a missing order ${record.orderId}`);
    return order;
  }

  /** A concurrent request with the same key may not have committed yet: wait briefly for it. */
  async awaitRecord(customerId: string, idempotencyKey: string): Promise<IdempotencyRecord | null> {
    const key = idempotencyRecordKey(customerId, idempotencyKey);
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = toIdempotencyRecord(await getConsistentItem(this.db, key), nowSeconds());
      if (record) return record;
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
    return null;
  }
}
