import { monotonicFactory } from 'ulid';
import type { Product, Review } from '../domain/types.js';
import { AlreadyReviewedError, NotFoundError } from '../errors/domain.js';
import { customerKey } from '../models/customer.js';
import { PRODUCT_ENTITY, productKey, toProduct } from '../models/product.js';
import { productReviewsQuery, reviewItem, reviewKey, toReview } from '../models/review.js';
import { reviewerClaimItem } from '../models/reviewer-claim.js';
import type { CursorCodec } from '../store/cursor.js';
import { assertItemFits } from '../store/item-size.js';
import { type Page, type PageArgs, queryPage } from '../store/paginate.js';
import type { RequestDb } from '../store/request-db.js';
import { TransactionCancelled, transactWrite } from '../store/transact.js';
import { getMany, type RepositoryLimits } from './items.js';
import { LookAhead, pageKey } from './look-ahead.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).

/** ULIDs sort by time: newest-first reads the partition backwards. */
const newReviewId = monotonicFactory();

/** A review's full key: the product it is in, and its own id. */
export interface ReviewRef {
  productId: string;
  reviewId: string;
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
  readonly #lookAhead = new LookAhead<Page<Review>>();

  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Reviews by (product, review) id, batched with every other key the request reads. */
  getMany(refs: readonly ReviewRef[]): Promise<Array<Review | null | Error>> {
    return getMany(this.db.items, refs, (ref) => reviewKey(ref.productId, ref.reviewId), toReview);
  }

  /** Access pattern 5: a product's reviews, newest first (ULID sort keys, read backwards). */
  ofProduct(productId: string, args: PageArgs, binding: string): Promise<Page<Review>> {
    return this.#lookAhead.take(pageKey(productId, binding, args), () =>
      this.#ofProduct(productId, args, binding),
    );
  }

  /**
   * Starts `ofProduct` alongside the product's own read (the `product` look-ahead in
   * src/schema/types/product.ts): the reviews Query needs only the product's id.
   */
  prefetchOfProduct(productId: string, args: PageArgs, binding: string): void {
    this.#lookAhead.start(pageKey(productId, binding, args), () =>
      this.db.alongsideNextBatch(() => this.#ofProduct(productId, args, binding)),
    );
  }

  #ofProduct(productId: string, args: PageArgs, binding: string): Promise<Page<Review>> {
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      defaultPageSize: DEFAULT_REVIEWS_PAGE,
      maxPageSize: MAX_REVIEWS_PAGE,
      query: productReviewsQuery(productId),
      scanIndexForward: false,
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
    const productItemKey = productKey(review.productId);
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
            Key: productItemKey,
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
            Key: customerKey(review.customerId),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const [, claim, product, profile] = error.reasons.map(
        (reason) => reason.code === 'ConditionalCheckFailed',
      );
      if (product) throw new NotFoundError(PRODUCT_ENTITY, review.productId, 'Product not found');
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
    const productItem = await this.db.consistentItems.clear(productItemKey).load(productItemKey);
    // The review is written, but its product was deleted in between: nothing to show.
    if (!productItem)
      throw new NotFoundError(PRODUCT_ENTITY, review.productId, 'Product not found');
    this.db.replaceCached(productItem);
    return { review, product: toProduct(productItem) };
  }
}
