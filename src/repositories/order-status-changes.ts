import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allowedSources, canTransition, type OrderStatus } from '../domain/order-status.js';
import type { Order } from '../domain/orders.js';
import { InvalidTransitionError, NotFoundError } from '../errors/domain.js';
import { inventoryKey } from '../models/inventory.js';
import { orderItem, orderKey, orderStatusUpdate } from '../models/order.js';
import type { RequestDb } from '../store/request-db.js';
import {
  type TransactItem,
  TransactionCancelled,
  transactWrite,
  withOldItem,
} from '../store/transact.js';
import { isOwnWrite, newWriteToken, tokenUpdate } from '../store/write-token.js';

/** What a status change needs to read the order first. */
interface OrderReader {
  getConsistent(customerId: string, orderId: string): Promise<Order | null>;
}

/** An order's status changes: cancelling (access pattern 12) and the admin's moves (13). */
export class OrderStatusChanges {
  constructor(
    private readonly db: RequestDb,
    private readonly orders: OrderReader,
  ) {}

  /** Cancel (access pattern 12): the status changes and the stock comes back, in one transaction. */
  async cancel(customerId: string, orderId: string): Promise<Order> {
    const order = await this.orders.getConsistent(customerId, orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    if (!canTransition(order.status, 'CANCELLED')) {
      throw new InvalidTransitionError(order.status, 'CANCELLED');
    }
    const now = new Date().toISOString();
    const sources = allowedSources('CANCELLED');
    const update = orderStatusUpdate('CANCELLED', order.shard, now);
    const table = this.db.tableName;
    try {
      await transactWrite(this.db, [
        withOldItem({
          Update: {
            TableName: table,
            Key: orderKey(customerId, orderId),
            ...update,
            ConditionExpression: `#status IN (${sources.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeValues: {
              ...update.ExpressionAttributeValues,
              ...Object.fromEntries(sources.map((s, i) => [`:from${i}`, s])),
            },
          },
        }),
        ...order.lines.map(
          (line): TransactItem => ({
            Update: {
              TableName: table,
              Key: inventoryKey(line.productId),
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
    const order = await this.orders.getConsistent(customerId, orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    if (!canTransition(order.status, to)) throw new InvalidTransitionError(order.status, to);
    const now = new Date().toISOString();
    const update = orderStatusUpdate(to, order.shard, now);
    // The token tells a re-send that met its own first send from another writer's move.
    const token = newWriteToken();
    try {
      await this.db.send(
        new UpdateCommand(
          tokenUpdate(
            {
              TableName: this.db.tableName,
              Key: orderKey(customerId, orderId),
              ...update,
              ConditionExpression: '#status = :from',
              ExpressionAttributeValues: {
                ...update.ExpressionAttributeValues,
                ':from': order.status,
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
        const current = await this.orders.getConsistent(customerId, orderId);
        throw new InvalidTransitionError(current?.status ?? order.status, to);
      }
    }
    const moved: Order = { ...order, status: to, updatedAt: now };
    this.db.prime(orderItem(moved));
    return moved;
  }
}
