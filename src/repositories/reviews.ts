import type { Review } from '../domain/types.js';
import type { Item } from '../dynamo/batch-get.js';
import type { CursorCodec } from '../dynamo/cursor.js';
import { keys } from '../dynamo/keys.js';
import { type Page, type PageArgs, queryPage } from '../dynamo/paginate.js';
import type { RequestDb } from '../dynamo/request-db.js';
import { read } from './items.js';

export const REVIEW_ENTITY = 'Review';

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

export const DEFAULT_REVIEWS_PAGE = 10;
export const MAX_REVIEWS_PAGE = 50;

export class ReviewRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
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
}
