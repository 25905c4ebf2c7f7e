import type { Review } from '../../domain/types.js';
import { keys } from '../../dynamo/keys.js';
import { toReview } from '../../repositories/reviews.js';
import { builder } from '../builder.js';
import { CustomerNode } from './customer.js';

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
