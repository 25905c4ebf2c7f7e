import { encodeGlobalID } from '@pothos/plugin-relay';
import { cartQuantity, globalId, LIMITS } from '../../domain/validation.js';
import { NotFoundError, ValidationError } from '../../errors/domain.js';
import type { CartLine } from '../../models/cart-line.js';
import { ttlToIso } from '../../models/table-schema.js';
import { builder } from '../builder.js';
import { prefetchStock } from '../prefetch.js';
import { viewerOf } from '../viewer.js';
import { CustomerNode, viewerAfterChange } from './customer.js';
import { ProductNode } from './product.js';
import { productIdFrom } from './review.js';

/** A customer's live cart lines (expired ones already dropped by the repository). */
export interface CartView {
  customerId: string;
  lines: CartLine[];
}

const CartItem = builder.objectRef<CartLine>('CartItem').implement({
  description: 'One product in a cart.',
  fields: (t) => ({
    product: t.field({
      type: ProductNode,
      nullable: true,
      description:
        "Null when the product was deleted after it was added. Batched with the cart's other products.",
      resolve: (line, _args, context, info) => {
        prefetchStock(context, info, [line.productId]);
        return line.productId;
      },
    }),
    quantity: t.exposeInt('quantity', {
      description: `${LIMITS.cartQuantity.min} to ${LIMITS.cartQuantity.max}.`,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'Seven days after the last change of this line; then the line is gone.',
      resolve: (line) => ttlToIso(line.expiresAt),
    }),
  }),
});

const Cart = builder.objectRef<CartView>('Cart').implement({
  description:
    'Access pattern 7: Query `PK = CUSTOMER#cid AND begins_with(SK, CART#)`, consistent. At most 25 products.',
  fields: (t) => ({
    id: t.id({
      description:
        "One cart per customer, so it is the customer's: stable across changes, for client caches to normalize `me.cart` with the carts that addToCart and removeFromCart return.",
      resolve: (cart) => encodeGlobalID('Cart', cart.customerId),
    }),
    items: t.field({
      type: [CartItem],
      description: 'Oldest line first.',
      resolve: (cart) => cart.lines,
    }),
    totalCents: t.int({
      description:
        "Σ current price × quantity, at today's prices (products read in one batch); a deleted product counts 0.",
      resolve: async (cart, _args, context) => {
        const products = await context.repos.products.getMany(
          cart.lines.map((line) => line.productId),
        );
        let total = 0;
        cart.lines.forEach((line, i) => {
          const product = products[i];
          if (product instanceof Error) throw product;
          if (product) total += product.priceCents * line.quantity;
        });
        return total;
      },
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the first line expires: the soonest `items.expiresAt` (lines expire one by one, 7 days after their last change). Null when the cart is empty.',
      resolve: (cart) =>
        cart.lines.length === 0
          ? null
          : ttlToIso(Math.min(...cart.lines.map((line) => line.expiresAt))),
    }),
  }),
});

builder.objectField(CustomerNode, 'cart', (t) =>
  t.field({
    type: Cart,
    authScopes: (customer) => ({ owner: customer.id }),
    description: "The customer's cart: for the customer (and admins) only.",
    resolve: async (customer, _args, context) => ({
      customerId: customer.id,
      lines: await context.repos.carts.lines(customer.id),
    }),
  }),
);

builder.mutationFields((t) => ({
  addToCart: t.field({
    type: Cart,
    authScopes: { customer: true },
    description: `Adds \`quantity\` (${LIMITS.cartQuantity.min} to ${LIMITS.cartQuantity.max}) of a product to the viewer's cart: to the quantity already there, up to ${LIMITS.cartQuantity.max} in all; an expired line starts again from \`quantity\`. The line expires 7 days after this change. A cart holds at most ${LIMITS.cartLines} products.`,
    args: {
      productId: t.arg.id({ required: true, validate: globalId }),
      quantity: t.arg.int({ required: true, validate: cartQuantity }),
    },
    errors: {
      types: [ValidationError, NotFoundError],
      result: { name: 'AddToCartSuccess', fields: (t) => ({ viewer: viewerAfterChange(t) }) },
      union: { name: 'AddToCartResult' },
      dataField: { name: 'cart' },
    },
    resolve: async (_root, args, context) => {
      // The partition comes from the token only: a customer never touches another's cart.
      const customerId = viewerOf(context).id;
      const productId = productIdFrom(args.productId, 'productId');
      const lines = await context.repos.carts.add(customerId, productId, args.quantity);
      return { customerId, lines };
    },
  }),
  removeFromCart: t.field({
    type: Cart,
    authScopes: { customer: true },
    description:
      "Removes a product from the viewer's cart. Removing a product that is not there succeeds.",
    args: { productId: t.arg.id({ required: true, validate: globalId }) },
    errors: {
      types: [ValidationError],
      result: { name: 'RemoveFromCartSuccess', fields: (t) => ({ viewer: viewerAfterChange(t) }) },
      union: { name: 'RemoveFromCartResult' },
      dataField: { name: 'cart' },
    },
    resolve: async (_root, args, context) => {
      const customerId = viewerOf(context).id;
      const productId = productIdFrom(args.productId, 'productId');
      return { customerId, lines: await context.repos.carts.remove(customerId, productId) };
    },
  }),
}));
