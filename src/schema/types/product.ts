import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../app/context.js';
import type { Product } from '../../domain/types.js';
import {
  currency,
  expectedVersion,
  LIMITS,
  nodeId,
  priceCents,
  productChanges,
  productDescription,
  productIds,
  productName,
  restockQuantity,
  slug,
  stock,
} from '../../domain/validation.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../../errors/domain.js';
import { cursorBinding } from '../../store/cursor.js';
import type { PageArgs } from '../../store/paginate.js';
import { builder } from '../builder.js';
import { reviewsBinding } from '../cursor-bindings.js';
import { childFieldArguments, prefetchStock } from '../prefetch.js';
import { CategoryNode } from './category.js';
import { ReviewConnection } from './review.js';

export const ProductNode = builder.loadableNodeRef<
  Product | Error | null,
  string,
  string,
  string,
  Product
>('Product', {
  id: { resolve: (product) => product.id },
  load: (ids, context) => context.repos.products.getMany(ids),
});

export const ProductSort = builder.enumType('ProductSort', {
  values: ['PRICE_ASC', 'PRICE_DESC'] as const,
});

export const ProductConnection = builder.connectionObject({
  type: ProductNode,
  name: 'ProductConnection',
});

const ProductRating = builder.objectRef<{ count: number; sum: number }>('ProductRating').implement({
  description: 'Kept by the review transaction (ratingSum, ratingCount on the product item).',
  fields: (t) => ({
    count: t.exposeInt('count'),
    average: t.float({
      nullable: true,
      description: 'The mean rating, rounded to two decimals; null before the first review.',
      resolve: ({ count, sum }) => (count === 0 ? null : Math.round((sum / count) * 100) / 100),
    }),
  }),
});

ProductNode.implement({
  description: 'A product (access pattern 1: BatchGetItem of PRODUCT, and INVENTORY for stock).',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    priceCents: t.exposeInt('priceCents'),
    currency: t.exposeString('currency'),
    featured: t.exposeBoolean('featured'),
    version: t.exposeInt('version', { description: 'For optimistic locking in updateProduct.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    stock: t.int({
      description: 'From the INVENTORY item, batched with the other keys of the request.',
      resolve: async (product, _args, context) =>
        (await context.repos.inventory.get(product.id))?.stock ?? 0,
    }),
    category: t.field({
      type: CategoryNode,
      nullable: true,
      resolve: (product) => product.categorySlug,
    }),
    rating: t.field({
      type: ProductRating,
      resolve: (product) => ({ count: product.ratingCount, sum: product.ratingSum }),
    }),
    reviews: t.field({
      type: ReviewConnection,
      description:
        'Access pattern 5: Query `PK = PRODUCT#id AND begins_with(SK, REVIEW#)`, newest first.',
      args: {
        first: t.arg.int({ description: 'Default 10, at most 50.' }),
        after: t.arg.string(),
      },
      resolve: (product, args, context) =>
        context.repos.reviews.ofProduct(product.id, args, reviewsBinding(product.id, args)),
    }),
  }),
});

/**
 * ProductPage in two rounds, not three: the reviews Query needs only the product's id, so it
 * starts beside the product's BatchGetItem instead of after it; the authors and the category
 * then load together.
 */
function readReviewsAhead(context: Context, info: GraphQLResolveInfo, productId: string): void {
  const selected = childFieldArguments(info, 'reviews');
  if (!selected) return;
  const args = selected.args as PageArgs;
  context.repos.reviews.prefetchOfProduct(productId, args, reviewsBinding(productId, args));
}

builder.queryFields((t) => ({
  product: t.field({
    type: ProductNode,
    nullable: true,
    description: 'A product by its global id. Null when there is none.',
    args: { id: t.arg.globalID({ required: true, for: ProductNode, validate: nodeId }) },
    resolve: (_root, args, context, info) => {
      prefetchStock(context, info, [args.id.id]);
      readReviewsAhead(context, info, args.id.id);
      return args.id.id;
    },
  }),
  products: t.field({
    type: [ProductNode],
    nullable: { list: false, items: true },
    description: `Products by global id, in the order asked (null for a missing one); at most ${LIMITS.productIds.max} ids, read with one BatchGetItem.`,
    args: {
      ids: t.arg.globalIDList({ required: true, for: ProductNode, validate: productIds }),
    },
    resolve: (_root, args, context, info) => {
      const ids = args.ids.map((id) => id.id);
      prefetchStock(context, info, ids);
      return ids;
    },
  }),
  featuredProducts: t.field({
    type: ProductConnection,
    description: 'Access pattern 3: Query the sparse GSI2 `GSI2PK = FEATURED`, newest first.',
    args: {
      first: t.arg.int({ description: 'Default 20, at most 100.' }),
      after: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      context.repos.products.featured(args, cursorBinding('Query.featuredProducts', args)),
  }),
}));

const NAME = `${LIMITS.productName.min} to ${LIMITS.productName.max} characters, trimmed.`;
const DESCRIPTION = `At most ${LIMITS.productDescription.max} characters.`;
const PRICE = `${LIMITS.priceCents.min} to ${LIMITS.priceCents.max}.`;

const CreateProductInput = builder.inputType('CreateProductInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: NAME, validate: productName }),
    description: t.string({
      required: true,
      description: DESCRIPTION,
      validate: productDescription,
    }),
    priceCents: t.int({ required: true, description: PRICE, validate: priceCents }),
    currency: t.string({ description: 'An ISO-4217 code; USD when absent.', validate: currency }),
    categorySlug: t.string({
      required: true,
      description: 'An existing category.',
      validate: slug,
    }),
    featured: t.boolean({ description: 'Listed in featuredProducts; false when absent.' }),
    stock: t.int({
      required: true,
      description: `${LIMITS.stock.min} to ${LIMITS.stock.max}.`,
      validate: stock,
    }),
  }),
});

const UpdateProductInput = builder.inputType('UpdateProductInput', {
  description: 'Absent or null fields keep their value; at least one must change.',
  fields: (t) => ({
    id: t.globalID({ required: true, for: ProductNode, validate: nodeId }),
    expectedVersion: t.int({
      required: true,
      description: 'The version the change is based on; another one gives VersionConflictError.',
      validate: expectedVersion,
    }),
    name: t.string({ description: NAME, validate: productName }),
    description: t.string({ description: DESCRIPTION, validate: productDescription }),
    priceCents: t.int({ description: PRICE, validate: priceCents }),
    categorySlug: t.string({ description: 'An existing category.', validate: slug }),
    featured: t.boolean(),
  }),
  validate: productChanges,
});

builder.mutationFields((t) => ({
  createProduct: t.field({
    type: ProductNode,
    description:
      'Admin. Access pattern 14: one TransactWriteItems puts the product and its inventory and counts it in its category.',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError, NotFoundError],
      result: { name: 'CreateProductSuccess' },
      union: { name: 'CreateProductResult' },
      dataField: { name: 'product' },
    },
    args: { input: t.arg({ type: CreateProductInput, required: true }) },
    resolve: (_root, { input }, context) => context.repos.products.create(input),
  }),
  updateProduct: t.field({
    type: ProductNode,
    description:
      'Admin. Access pattern 14: an UpdateItem IF version = expectedVersion (index keys and category counts move with it), in one TransactWriteItems.',
    authScopes: { admin: true },
    errors: {
      types: [VersionConflictError, ValidationError, NotFoundError],
      result: { name: 'UpdateProductSuccess' },
      union: { name: 'UpdateProductResult' },
      dataField: { name: 'product' },
    },
    args: { input: t.arg({ type: UpdateProductInput, required: true }) },
    resolve: (_root, { input }, context) =>
      context.repos.products.update({ ...input, id: input.id.id }),
  }),
  restock: t.field({
    type: ProductNode,
    description:
      'Admin. Adds stock with one UpdateItem `ADD stock :q`; the answer shows the new stock.',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError, NotFoundError],
      result: { name: 'RestockSuccess' },
      union: { name: 'RestockResult' },
      dataField: { name: 'product' },
    },
    args: {
      productId: t.arg.globalID({ required: true, for: ProductNode, validate: nodeId }),
      quantity: t.arg.int({
        required: true,
        description: `${LIMITS.restockQuantity.min} to ${LIMITS.restockQuantity.max}.`,
        validate: restockQuantity,
      }),
    },
    resolve: async (_root, args, context) => {
      const id = args.productId.id;
      await context.repos.inventory.restock(id, args.quantity);
      const product = await context.repos.products.getFresh(id);
      if (!product) throw new NotFoundError('Product', id);
      return product;
    },
  }),
}));
