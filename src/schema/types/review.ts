import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Product, Review } from '../../domain/types.js';
import { globalId, LIMITS, rating, reviewBody } from '../../domain/validation.js';
import { AlreadyReviewedError, NotFoundError, ValidationError } from '../../errors/domain.js';
import { builder } from '../builder.js';
import { viewerOf } from '../viewer.js';
import { CustomerNode } from './customer.js';
// A cycle (product.ts shows reviews): ProductNode is only used inside field thunks here.
import { ProductNode } from './product.js';

/** A review's node id carries its product: `<productId>:<reviewId>`, its full table key. */
export const ReviewNode = builder.loadableNodeRef<
  Review | Error | null,
  string,
  string,
  string,
  Review
>('Review', {
  id: { resolve: (review) => `${review.productId}:${review.id}` },
  load: (ids, context) =>
    context.repos.reviews.getMany(
      ids.map((id) => {
        const [productId = '', reviewId = ''] = id.split(':');
        return { productId, reviewId };
      }),
    ),
});

ReviewNode.implement({
  fields: (t) => ({
    rating: t.exposeInt('rating'),
    body: t.exposeString('body'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    author: t.field({
      type: CustomerNode,
      nullable: true,
      description: 'The reviewer (batched with the other keys of the request).',
      // Read by key straight through the request's batch loader rather than returned as an id
      // for the loadable ref's own DataLoader (a second batching layer that saves no call: a
      // product's reviewers are distinct). Where ids repeat (a product's category, the products
      // of order and cart lines) the loadable ref stays: its cache maps each item once.
      resolve: (review, _args, context) => context.repos.customers.get(review.customerId),
    }),
  }),
});

export const ReviewConnection = builder.connectionObject({
  type: ReviewNode,
  name: 'ReviewConnection',
});

/**
 * A Product global id from a mutation argument. Decoded here rather than by `t.arg.globalID`
 * so that a wrong id is a ValidationError in the result union, naming the field.
 */
export function productIdFrom(globalId: string, field: string): string {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    if (typename === 'Product') return id;
  } catch {
    // Not a global id at all: the same answer as an id of another type.
  }
  throw new ValidationError(field, 'is not a Product id');
}

const AddReviewInput = builder.inputType('AddReviewInput', {
  fields: (t) => ({
    productId: t.id({ required: true, validate: globalId }),
    rating: t.int({
      required: true,
      description: `An integer from ${LIMITS.rating.min} to ${LIMITS.rating.max}.`,
      validate: rating,
    }),
    body: t.string({
      required: true,
      description: `${LIMITS.reviewBody.min} to ${LIMITS.reviewBody.max} characters, trimmed.`,
      validate: reviewBody,
    }),
  }),
});

const AddReviewSuccess = builder
  .objectRef<{ review: Review; product: Product }>('AddReviewSuccess')
  .implement({
    fields: (t) => ({
      review: t.field({ type: ReviewNode, resolve: (result) => result.review }),
      product: t.field({
        type: ProductNode,
        description: 'Read after the review was written, so its rating includes the review.',
        resolve: (result) => result.product,
      }),
    }),
  });

builder.mutationFields((t) => ({
  addReview: t.field({
    type: AddReviewSuccess,
    authScopes: { customer: true },
    description:
      'Access pattern 15: one review per customer per product; needs a profile (a review shows its author).',
    args: { input: t.arg({ type: AddReviewInput, required: true }) },
    errors: {
      types: [ValidationError, NotFoundError, AlreadyReviewedError],
      union: { name: 'AddReviewResult' },
      directResult: true,
    },
    // Rating and body arrive checked (and the body trimmed) by their fields' rules.
    resolve: (_root, { input }, context) =>
      context.repos.reviews.add({
        productId: productIdFrom(input.productId, 'input.productId'),
        customerId: viewerOf(context).id,
        rating: input.rating,
        body: input.body,
      }),
  }),
}));
