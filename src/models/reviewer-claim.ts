import type { Review } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { productPartition } from './product.js';
import type { TableKey } from './table-schema.js';

/** Reviewer claim: `PRODUCT#<pid>` / `REVIEWER#<cid>`, taken by a customer's first review of a product. */
export const REVIEWER_CLAIM_ENTITY = 'ReviewerClaim';

export function reviewerClaimKey(productId: string, customerId: string): TableKey {
  return { PK: productPartition(productId), SK: `REVIEWER#${customerId}` };
}

export function reviewerClaimItem(review: Review): Item {
  return {
    ...reviewerClaimKey(review.productId, review.customerId),
    entity: REVIEWER_CLAIM_ENTITY,
    productId: review.productId,
    customerId: review.customerId,
    reviewId: review.id,
    createdAt: review.createdAt,
  };
}
