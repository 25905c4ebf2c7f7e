/**
 * The peer's resolvers, written the way a team would over this table: relations through the
 * request's DataLoaders, lists through a Query each. Items are answered as stored (the
 * attribute names of src/models/); global ids are base64 of `Type:id`, as Pothos' relay
 * plugin encodes them in the gateway, so both answer the same data.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GraphQLError } from 'graphql';
import { cartLinesQuery } from '../../../src/models/cart-line.js';
import { customerOrdersQuery } from '../../../src/models/order.js';
import { categoryProductsQuery, featuredProductsQuery } from '../../../src/models/product.js';
import { productReviewsQuery } from '../../../src/models/review.js';
import type { Item, Loaders } from './loaders.js';
import { queryAll, queryPage } from './pages.js';

export interface PeerContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
  loaders: Loaders;
  /** The token's `sub`, or null. */
  viewer: string | null;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const globalId = (type: string, id: string) =>
  Buffer.from(`${type}:${id}`).toString('base64');

/** The id of a global id of `type`, or null for another type or garbage. */
function idOf(type: string, value: string): string | null {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at > 0 && decoded.slice(0, at) === type ? decoded.slice(at + 1) : null;
}

const str = (item: Item, field: string) => item[field] as string;
const int = (item: Item, field: string) => (item[field] as number | undefined) ?? 0;

interface CartLine {
  productId: string;
  quantity: number;
  addedAt: string;
  expiresAt: number;
}

export const resolvers = {
  Query: {
    product: (_: unknown, args: { id: string }, context: PeerContext) => {
      const id = idOf('Product', args.id);
      return id === null ? null : context.loaders.products.load(id);
    },
    category: (_: unknown, args: { slug: string }, context: PeerContext) =>
      context.loaders.categories.load(args.slug),
    featuredProducts: async (_: unknown, args: PageArgs, context: PeerContext) => {
      const page = await queryPage(context.doc, context.tableName, featuredProductsQuery(), {
        first: args.first ?? 20,
        after: args.after,
        forward: false,
      });
      for (const edge of page.edges)
        context.loaders.products.prime(str(edge.node, 'id'), edge.node);
      return page;
    },
    me: (_: unknown, _args: unknown, context: PeerContext) => {
      if (!context.viewer) {
        throw new GraphQLError('Authentication required', {
          extensions: { code: 'UNAUTHENTICATED' },
        });
      }
      return context.loaders.customers.load(context.viewer);
    },
  },
  Product: {
    id: (item: Item) => globalId('Product', str(item, 'id')),
    description: (item: Item) => (item.description as string | undefined) ?? '',
    featured: (item: Item) => item.featured === true,
    stock: async (item: Item, _: unknown, context: PeerContext) => {
      const inventory = await context.loaders.inventory.load(str(item, 'id'));
      return (inventory?.stock as number | undefined) ?? 0;
    },
    category: (item: Item, _: unknown, context: PeerContext) =>
      context.loaders.categories.load(str(item, 'categorySlug')),
    rating: (item: Item) => {
      const count = int(item, 'ratingCount');
      const sum = int(item, 'ratingSum');
      return { count, average: count === 0 ? null : Math.round((sum / count) * 100) / 100 };
    },
    reviews: (item: Item, args: PageArgs, context: PeerContext) =>
      queryPage(context.doc, context.tableName, productReviewsQuery(str(item, 'id')), {
        first: args.first ?? 10,
        after: args.after,
        forward: false,
      }),
  },
  Category: {
    id: (item: Item) => globalId('Category', str(item, 'slug')),
    products: async (
      item: Item,
      args: PageArgs & {
        minPriceCents?: number | null;
        maxPriceCents?: number | null;
        sort: 'PRICE_ASC' | 'PRICE_DESC';
      },
      context: PeerContext,
    ) => {
      const query = categoryProductsQuery(
        str(item, 'slug'),
        args.minPriceCents,
        args.maxPriceCents,
      );
      const page = await queryPage(context.doc, context.tableName, query, {
        first: args.first ?? 20,
        after: args.after,
        forward: args.sort !== 'PRICE_DESC',
      });
      for (const edge of page.edges)
        context.loaders.products.prime(str(edge.node, 'id'), edge.node);
      return page;
    },
  },
  Review: {
    id: (item: Item) => globalId('Review', `${str(item, 'productId')}:${str(item, 'id')}`),
    author: (item: Item, _: unknown, context: PeerContext) =>
      context.loaders.customers.load(str(item, 'customerId')),
  },
  Customer: {
    id: (item: Item) => globalId('Customer', str(item, 'id')),
    orderCount: (item: Item) => int(item, 'orderCount'),
    cart: async (item: Item, _: unknown, context: PeerContext) => {
      const items = await queryAll(context.doc, {
        TableName: context.tableName,
        ...cartLinesQuery(str(item, 'id')).input,
        ConsistentRead: true,
      });
      // TTL deletion lags: a line past its expiry is gone. Oldest line first.
      const now = Math.floor(Date.now() / 1000);
      return (items as unknown as CartLine[])
        .filter((line) => line.expiresAt > now)
        .sort(
          (a, b) => a.addedAt.localeCompare(b.addedAt) || a.productId.localeCompare(b.productId),
        );
    },
    orders: (item: Item, args: PageArgs, context: PeerContext) =>
      queryPage(context.doc, context.tableName, customerOrdersQuery(str(item, 'id')), {
        first: args.first ?? 20,
        after: args.after,
        forward: false,
      }),
  },
  Cart: {
    items: (lines: CartLine[]) => lines,
    totalCents: async (lines: CartLine[], _: unknown, context: PeerContext) => {
      const products = await context.loaders.products.loadMany(lines.map((l) => l.productId));
      return lines.reduce((total, line, i) => {
        const product = products[i];
        if (product instanceof Error) throw product;
        return total + (product ? int(product, 'priceCents') * line.quantity : 0);
      }, 0);
    },
    expiresAt: (lines: CartLine[]) =>
      lines.length === 0
        ? null
        : new Date(Math.min(...lines.map((l) => l.expiresAt)) * 1000).toISOString(),
  },
  CartItem: {
    product: (line: CartLine, _: unknown, context: PeerContext) =>
      context.loaders.products.load(line.productId),
  },
  Order: {
    id: (item: Item) => globalId('Order', `${str(item, 'customerId')}:${str(item, 'id')}`),
  },
  OrderLine: {
    product: (line: { productId: string }, _: unknown, context: PeerContext) =>
      context.loaders.products.load(line.productId),
  },
};
