import { monotonicFactory } from 'ulid';
import type { Product, Review } from '../domain/types.js';
import { AlreadyReviewedError, NotFoundError } from '../errors/domain.js';
import type { Item } from '../store/batch-get.js';
import type { CursorCodec } from '../store/cursor.js';
import { assertItemFits } from '../store/item-size.js';
import { keys } from '../store/keys.js';
import { type Page, type PageArgs, queryPage } from '../store/paginate.js';
import type { RequestDb } from '../store/request-db.js';
import { TransactionCancelled, transactWrite } from '../store/transact.js';
import { type RepositoryLimits, read } from './items.js';
import { toProduct } from './products.js';

export const REVIEW_ENTITY = 'Review';
export const REVIEWER_CLAIM_ENTITY = 'ReviewerClaim';

/** ULIDs sort by time: newest-first reads the partition backwards. */
const newReviewId = monotonicFactory();

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
  return { ...keys.review(review.productId, review.id), entity: REVIEW_ENTITY, ...review };
}

/** One review per customer per product: this item's key is taken by the first review. */
export function reviewerClaimItem(review: Review): Item {
  return {
    ...keys.reviewerClaim(review.productId, review.customerId),
    entity: REVIEWER_CLAIM_ENTITY,
    productId: review.productId,
    customerId: review.customerId,
    reviewId: review.id,
    createdAt: review.createdAt,
  };
}

export interface NewReview {
  productId: string;
  customerId: string;
  rating: number;
  body: string;
}

export const DEFAULT_REVIEWS_PAGE = 10;
export const MAX_REVIEWS_PAGE = 50;

export class ReviewRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 5: a product's reviews, newest first (ULID sort keys, read backwards). */
  ofProduct(productId: string, args: PageArgs, binding: string): Promise<Page<Review>> {
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      defaultPageSize: DEFAULT_REVIEWS_PAGE,
      maxPageSize: MAX_REVIEWS_PAGE,
      keyAttributes: ['PK', 'SK'],
      input: {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: {
          ':pk': keys.reviewsPartition(productId),
          ':prefix': keys.reviewPrefix(),
        },
        ScanIndexForward: false,
      },
      map: toReview,
    });
  }

  /**
   * Access pattern 15, one TransactWriteItems: Put the review; Put the reviewer claim IF
   * attribute_not_exists (AlreadyReviewedError); Update the product's ratingSum/ratingCount IF
   * it exists (NotFoundError); ConditionCheck the reviewer's profile (a review shows its
   * author's name). Then the product is read consistently, so that the caller shows the new
   * rating, and the request's item cache is given that fresh copy.
   */
  async add(input: NewReview, now = Date.now()): Promise<{ review: Review; product: Product }> {
    const review: Review = {
      id: newReviewId(now),
      ...input,
      createdAt: new Date(now).toISOString(),
    };
    const item = reviewItem(review);
    assertItemFits(item, { maxBytes: this.limits.maxItemBytes, fields: { body: 'input.body' } });
    const productKey = keys.product(review.productId);
    const table = this.db.tableName;
    try {
      await transactWrite(this.db, [
        {
          Put: {
            TableName: table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: table,
            Item: reviewerClaimItem(review),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Update: {
            TableName: table,
            Key: productKey,
            // Not `version` nor `updatedAt`: a review must not conflict with an admin's edit.
            UpdateExpression:
              'SET #sum = if_not_exists(#sum, :zero) + :rating, #count = if_not_exists(#count, :zero) + :one',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#sum': 'ratingSum', '#count': 'ratingCount' },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':rating': review.rating },
          },
        },
        {
          ConditionCheck: {
            TableName: table,
            Key: keys.customer(review.customerId),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const [, claim, product, profile] = error.reasons.map(
        (reason) => reason.code === 'ConditionalCheckFailed',
      );
      if (product) throw new NotFoundError('Product', review.productId, 'Product not found');
      if (profile) {
        throw new NotFoundError(
          'Customer',
          review.customerId,
          'Create a profile (createProfile) before writing a review: a review shows its author',
        );
      }
      if (claim) throw new AlreadyReviewedError(review.productId);
      throw error;
    }
    // Cleared first: an earlier field of the same request may have cached the product.
    const productItem = await this.db.consistentItems.clear(productKey).load(productKey);
    // The review is written, but its product was deleted in between: nothing to show.
    if (!productItem) throw new NotFoundError('Product', review.productId, 'Product not found');
    this.db.items.clear(productKey).prime(productKey, productItem);
    return { review, product: toProduct(productItem) };
  }
}
