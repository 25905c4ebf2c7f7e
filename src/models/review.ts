import type { Review } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { productPartition } from './product.js';
import { read } from './read.js';
import { type KeyQuery, keyQuery, type TableKey } from './table-schema.js';

/** Review: `PRODUCT#<pid>` / `REVIEW#<ulid>`; ULIDs sort by time, so newest first reads backwards. */
export const REVIEW_ENTITY = 'Review';

const REVIEW_PREFIX = 'REVIEW#';

export function reviewKey(productId: string, reviewId: string): TableKey {
  return { PK: productPartition(productId), SK: `${REVIEW_PREFIX}${reviewId}` };
}

/** Access pattern 5: a product's reviews. */
export function productReviewsQuery(productId: string): KeyQuery {
  return keyQuery(undefined, productPartition(productId), { beginsWith: REVIEW_PREFIX });
}

export function toReview(item: Item): Review {
  read.entity(item, REVIEW_ENTITY);
  return {
    id: read.string(item, 'id'),
    productId: read.string(item, 'productId'),
    customerId: read.string(item, 'customerId'),
    rating: read.int(item, 'rating'),
    body: read.string(item, 'body'),
    createdAt: read.string(item, 'createdAt'),
  };
}

export function reviewItem(review: Review): Item {
  return { ...reviewKey(review.productId, review.id), entity: REVIEW_ENTITY, ...review };
}
