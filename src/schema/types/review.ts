import { decodeGlobalID } from '@pothos/plugin-relay';
import { AlreadyReviewedError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Product, Review } from '../../domain/types.js';
import { keys } from '../../dynamo/keys.js';
import { toReview } from '../../repositories/reviews.js';
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
  load: async (ids, context) => {
    const items = await context.db.items.loadMany(
      ids.map((id) => {
        const [productId = '', reviewId = ''] = id.split(':');
        return keys.review(productId, reviewId);
      }),
    );
    return items.map((item) => (item instanceof Error || item === null ? item : toReview(item)));
  },
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
      resolve: (review) => review.customerId,
    }),
  }),
});

export const ReviewConnection = builder.connectionObject({
  type: ReviewNode,
  name: 'ReviewConnection',
});

export const MAX_REVIEW_BODY = 2_000;

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
    productId: t.id({ required: true }),
    rating: t.int({ required: true, description: 'An integer from 1 to 5.' }),
    body: t.string({ required: true, description: `1 to ${MAX_REVIEW_BODY} characters, trimmed.` }),
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
    resolve: (_root, { input }, context) => {
      const productId = productIdFrom(input.productId, 'input.productId');
      if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
        throw new ValidationError('input.rating', 'must be an integer from 1 to 5');
      }
      const body = input.body.trim();
      const length = [...body].length;
      if (length < 1 || length > MAX_REVIEW_BODY) {
        throw new ValidationError('input.body', `must be 1 to ${MAX_REVIEW_BODY} characters`);
      }
      return context.repos.reviews.add({
        productId,
        customerId: viewerOf(context).id,
        rating: input.rating,
        body,
      });
    },
  }),
}));
