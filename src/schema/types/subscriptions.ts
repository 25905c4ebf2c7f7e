import { canAccessCustomer } from '../../auth/viewer.js';
import { isLaterStatus, type OrderStatus } from '../../domain/order-status.js';
import { parseOrderNodeId } from '../../domain/orders.js';
import { ClientError } from '../../errors/client.js';
import { newerOnly } from '../../events/newer-only.js';
import { untilAborted } from '../../events/until-aborted.js';
import { toOrder } from '../../models/order.js';
import { builder } from '../builder.js';
import { OrderNode } from './order.js';
import { ProductNode } from './product.js';

/**
 * Subscriptions come from the table's DynamoDB stream (src/events), so they see every write,
 * whoever made it: this gateway, another service, or a console edit. Served over SSE,
 * graphql-ws and multipart HTTP.
 *
 * The stream may hand over an image older than one the subscriber has (a record re-read after a
 * lease moved, or one that was still in flight when the subscription read the order): each
 * subscription drops what is not newer than what it last delivered or read.
 */
builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  stockChanged: t.field({
    type: ProductNode,
    description: "A product's stock, each time it changes (public).",
    args: { productId: t.arg.globalID({ required: true, for: ProductNode }) },
    subscribe: (_root, args, context) =>
      untilAborted(
        // updatedAt: every write of the gateway sets it; an image with an earlier one is older.
        // Equal ones pass (two writes in one millisecond, or a write that left it alone).
        newerOnly(
          context.pubsub.subscribe('stockChanged', args.productId.id),
          (event) => String(event.item.updatedAt ?? ''),
          (marker, than) => marker >= than,
        ).since(undefined),
        context.shutdown,
      ),
    resolve: (event, _args, context) => {
      // Each event is a new answer: forget what earlier events loaded (and an earlier failure to
      // reach DynamoDB, during an outage), keep the stream's image.
      context.db.startAnswer();
      context.repos.inventory.primeFromStream(event.productId, event.item);
      return event.productId;
    },
  }),
  orderStatusChanged: t.field({
    type: OrderNode,
    description: "An order's status, each time it changes (the order's customer and admins).",
    authScopes: { customer: true },
    args: { orderId: t.arg.globalID({ required: true, for: OrderNode }) },
    subscribe: async (_root, args, context) => {
      const ref = parseOrderNodeId(args.orderId.id);
      // Another customer's order, or none: the same answer, and no read for the former.
      if (!ref || !canAccessCustomer(context.viewer, ref.customerId)) {
        throw new ClientError('Order not found', 'NOT_FOUND');
      }
      // Listening before the read: a change made meanwhile is not lost. Then only statuses
      // after the one read (statuses only move forward): the creation's PENDING, still in the
      // stream when the order is already PAID, is not news.
      const events = newerOnly(
        context.pubsub.subscribe('orderStatusChanged', `${ref.customerId}:${ref.orderId}`),
        (event): OrderStatus => event.status,
        isLaterStatus,
      );
      let order: Awaited<ReturnType<typeof context.repos.orders.getConsistent>>;
      try {
        order = await context.repos.orders.getConsistent(ref.customerId, ref.orderId);
      } catch (error) {
        await events.since(undefined).return?.();
        throw error;
      }
      const listening = events.since(order?.status);
      if (!order) {
        await listening.return?.();
        throw new ClientError('Order not found', 'NOT_FOUND');
      }
      return untilAborted(listening, context.shutdown);
    },
    // The stream's new image is the order as it is now: no read, no stale cache.
    resolve: (event) => toOrder(event.item),
  }),
}));
