import { canAccessCustomer } from '../../auth/viewer.js';
import { type Order, type OrderLine, orderNodeId, parseOrderNodeId } from '../../domain/orders.js';
import {
  cartOrderLines,
  idempotencyKey,
  LIMITS,
  nodeId,
  orderLines,
  orderQuantity,
  orderRequest,
  parseInput,
} from '../../domain/validation.js';
import { AuthError } from '../../errors/client.js';
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotFoundError,
  OrderOutcomeUnknownError,
  OutOfStockError,
  ValidationError,
} from '../../errors/domain.js';
import { cursorBinding } from '../../store/cursor.js';
import { builder } from '../builder.js';
import { ordersBinding } from '../cursor-bindings.js';
import { prefetchStock } from '../prefetch.js';
import { viewerOf } from '../viewer.js';
import { CustomerNode, viewerAfterChange } from './customer.js';
import { OrderStatusEnum } from './order-status.js';
import { ProductNode } from './product.js';

/**
 * An order's node id is `<customerId>:<orderId>`: its full table key. A viewer may load only
 * their own orders (admins any); another customer's order id costs no DynamoDB call and reads
 * as null, exactly like an order that does not exist, so it reveals nothing.
 */
export const OrderNode = builder.loadableNodeRef<
  Order | Error | null,
  string,
  string,
  string,
  Order
>('Order', {
  id: { resolve: (order) => orderNodeId(order.customerId, order.id) },
  load: async (ids, context) => {
    const refs = ids.map(parseOrderNodeId);
    const allowed = refs.map(
      (ref) => ref !== null && canAccessCustomer(context.viewer, ref.customerId),
    );
    const wanted = refs.filter((ref, i): ref is NonNullable<typeof ref> => allowed[i] === true);
    const loaded = await context.repos.orders.getMany(wanted);
    let next = 0;
    return refs.map((_, i) => {
      if (!context.viewer) return new AuthError('Authentication required to read orders');
      return allowed[i] ? (loaded[next++] ?? null) : null;
    });
  },
});

const OrderLineRef = builder.objectRef<OrderLine>('OrderLine').implement({
  description: 'A line as it was ordered: quantity and price are fixed when the order is placed.',
  fields: (t) => ({
    quantity: t.exposeInt('quantity'),
    unitPriceCents: t.exposeInt('unitPriceCents'),
    productName: t.exposeString('productName', { description: 'The name when ordered.' }),
    product: t.field({
      type: ProductNode,
      nullable: true,
      description: 'The product as it is now (batched with the other keys of the request).',
      resolve: (line, _args, context, info) => {
        prefetchStock(context, info, [line.productId]);
        return line.productId;
      },
    }),
  }),
});

OrderNode.implement({
  description: 'An order. Readable by the customer who placed it and by admins.',
  fields: (t) => ({
    status: t.field({ type: OrderStatusEnum, resolve: (order) => order.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    totalCents: t.exposeInt('totalCents'),
    currency: t.exposeString('currency'),
    lines: t.field({ type: [OrderLineRef], resolve: (order) => order.lines }),
    customer: t.field({
      type: CustomerNode,
      nullable: true,
      resolve: (order) => order.customerId,
    }),
  }),
});

export const OrderConnection = builder.connectionObject({
  type: OrderNode,
  name: 'OrderConnection',
});

builder.objectField(CustomerNode, 'orders', (t) =>
  t.field({
    type: OrderConnection,
    description:
      'Access pattern 8: `PK = CUSTOMER#cid AND SK BETWEEN ORDER#<from> AND ORDER#<to>`, newest first.',
    authScopes: (customer) => ({ owner: customer.id }),
    args: {
      first: t.arg.int({ description: 'Default 20, at most 100.' }),
      after: t.arg.string(),
      from: t.arg({ type: 'DateTime', description: 'Orders placed at or after this time.' }),
      to: t.arg({ type: 'DateTime', description: 'Orders placed at or before this time.' }),
    },
    resolve: (customer, args, context) =>
      context.repos.orders.history(customer.id, args, ordersBinding(context, customer.id, args)),
  }),
);

const OrderLineInput = builder.inputType('OrderLineInput', {
  fields: (t) => ({
    productId: t.globalID({ required: true, for: ProductNode, validate: nodeId }),
    quantity: t.int({
      required: true,
      description: `${LIMITS.orderQuantity.min} to ${LIMITS.orderQuantity.max}.`,
      validate: orderQuantity,
    }),
  }),
});

const PlaceOrderInput = builder.inputType('PlaceOrderInput', {
  description: 'Either `lines` or `fromCart: true`.',
  fields: (t) => ({
    idempotencyKey: t.string({
      required: true,
      description:
        'A key the client makes per order (a UUID, say): 1 to 100 characters of A-Z, a-z, 0-9 and _ . : -. Retrying with the same key and request returns the same order.',
      validate: idempotencyKey,
    }),
    lines: t.field({
      type: [OrderLineInput],
      description: `${LIMITS.orderLines.min} to ${LIMITS.orderLines.max} distinct products.`,
      validate: orderLines,
    }),
    fromCart: t.boolean({ description: 'Order what is in the cart (instead of `lines`).' }),
  }),
  validate: orderRequest,
});

builder.queryFields((t) => ({
  order: t.field({
    type: OrderNode,
    nullable: true,
    description:
      'Access pattern 9: GetItem by the order id, which carries the customer id. Null for an order that is not yours.',
    authScopes: { customer: true },
    args: { id: t.arg.globalID({ required: true, for: OrderNode, validate: nodeId }) },
    resolve: (_root, args) => args.id.id,
  }),
  ordersByStatus: t.field({
    type: OrderConnection,
    description:
      'Access pattern 10 (admin): every write shard of GSI2 `ORDERSTATUS#<status>#<n>` queried in parallel, merged newest first.',
    authScopes: { admin: true },
    args: {
      status: t.arg({ type: OrderStatusEnum, required: true }),
      first: t.arg.int({ description: 'Default 20, at most 100.' }),
      after: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      context.repos.orders.byStatus(
        args.status,
        args,
        cursorBinding('Query.ordersByStatus', args, context.viewer?.id ?? null),
      ),
  }),
}));

/** The order named by a global id, if it is the viewer's: another customer's is "not found". */
function ownOrder(viewerId: string, nodeId: string): { customerId: string; orderId: string } {
  const ref = parseOrderNodeId(nodeId);
  if (!ref || ref.customerId !== viewerId) throw new NotFoundError('Order', nodeId);
  return ref;
}

builder.mutationFields((t) => ({
  placeOrder: t.field({
    type: OrderNode,
    description:
      'Access pattern 11: one TransactWriteItems takes the stock of every line (never below zero), writes the order, its idempotency record and the order count, and clears consumed cart lines.',
    authScopes: { customer: true },
    errors: {
      types: [
        OutOfStockError,
        IdempotencyKeyReusedError,
        ValidationError,
        NotFoundError,
        OrderOutcomeUnknownError,
      ],
      result: { name: 'PlaceOrderSuccess', fields: (t) => ({ viewer: viewerAfterChange(t) }) },
      union: { name: 'PlaceOrderResult' },
      dataField: { name: 'order' },
    },
    args: { input: t.arg({ type: PlaceOrderInput, required: true }) },
    // The input's rules (lines or fromCart, sizes, quantities, duplicates) have passed.
    resolve: (_root, { input }, context) => {
      const viewer = viewerOf(context);
      const lines = input.lines?.map((line) => ({
        productId: line.productId.id,
        quantity: line.quantity,
      }));
      return context.repos.orders.place({
        customerId: viewer.id,
        idempotencyKey: input.idempotencyKey,
        lines,
        fromCart: input.fromCart,
        cartLines: async () => {
          const cart = (await context.repos.carts.lines(viewer.id)).map((line) => ({
            productId: line.productId,
            quantity: line.quantity,
          }));
          if (cart.length === 0) throw new ValidationError('input.fromCart', 'the cart is empty');
          // The same rules as sent lines: concurrent adds can take a cart past 25 products.
          return parseInput(cartOrderLines, cart, 'input.fromCart');
        },
      });
    },
  }),
  cancelOrder: t.field({
    type: OrderNode,
    description:
      'Access pattern 12: your own PENDING or PAID order; its stock comes back in the same transaction.',
    authScopes: { customer: true },
    errors: {
      types: [InvalidTransitionError, ValidationError, NotFoundError],
      result: { name: 'CancelOrderSuccess', fields: (t) => ({ viewer: viewerAfterChange(t) }) },
      union: { name: 'CancelOrderResult' },
      dataField: { name: 'order' },
    },
    args: { orderId: t.arg.globalID({ required: true, for: OrderNode, validate: nodeId }) },
    resolve: (_root, args, context) => {
      const { customerId, orderId } = ownOrder(viewerOf(context).id, args.orderId.id);
      return context.repos.orders.cancel(customerId, orderId);
    },
  }),
  setOrderStatus: t.field({
    type: OrderNode,
    description:
      'Access pattern 13 (admin): UpdateItem IF status = :from; allowed transitions only. CANCELLED returns the stock.',
    authScopes: { admin: true },
    errors: {
      types: [InvalidTransitionError, ValidationError, NotFoundError],
      result: { name: 'SetOrderStatusSuccess' },
      union: { name: 'SetOrderStatusResult' },
      dataField: { name: 'order' },
    },
    args: {
      orderId: t.arg.globalID({ required: true, for: OrderNode, validate: nodeId }),
      status: t.arg({ type: OrderStatusEnum, required: true }),
    },
    resolve: (_root, args, context) => {
      const ref = parseOrderNodeId(args.orderId.id);
      if (!ref) throw new NotFoundError('Order', args.orderId.id);
      return context.repos.orders.setStatus(ref.customerId, ref.orderId, args.status);
    },
  }),
}));
