import { canAccessCustomer } from '../../auth/viewer.js';
import { parseOrderNodeId } from '../../domain/orders.js';
import { ClientError } from '../../errors/client.js';
import { untilAborted } from '../../events/until-aborted.js';
import { toOrder } from '../../models/order.js';
import { builder } from '../builder.js';
import { OrderNode } from './order.js';
import { ProductNode } from './product.js';

/**
 * Subscriptions come from the table's DynamoDB stream (src/events), so they see every write,
 * whoever made it: this gateway, another service, or a console edit. Served over SSE.
 */
builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  stockChanged: t.field({
    type: ProductNode,
    description: "A product's stock, each time it changes (public).",
    args: { productId: t.arg.globalID({ required: true, for: ProductNode }) },
    subscribe: (_root, args, context) =>
      untilAborted(context.pubsub.subscribe('stockChanged', args.productId.id), context.shutdown),
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
      const order =
        ref && canAccessCustomer(context.viewer, ref.customerId)
          ? await context.repos.orders.getConsistent(ref.customerId, ref.orderId)
          : null;
      if (!ref || !order) throw new ClientError('Order not found', 'NOT_FOUND');
      return untilAborted(
        context.pubsub.subscribe('orderStatusChanged', `${ref.customerId}:${ref.orderId}`),
        context.shutdown,
      );
    },
    // The stream's new image is the order as it is now: no read, no stale cache.
    resolve: (event) => toOrder(event.item),
  }),
}));
