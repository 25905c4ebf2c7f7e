import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Category } from '../domain/types.js';
import { AlreadyExistsError } from '../errors/domain.js';
import {
  CATEGORY_ENTITY,
  categoriesQuery,
  categoryItem,
  categoryKey,
  toCategory,
} from '../models/category.js';
import { assertItemFits } from '../store/item-size.js';
import type { RequestDb } from '../store/request-db.js';
import type { TransactItem } from '../store/transact.js';
import { isOwnWrite, newWriteToken, tokenPut } from '../store/write-token.js';
import { getMany, type RepositoryLimits } from './items.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).

export interface CreateCategoryInput {
  slug: string;
  name: string;
  description?: string | null | undefined;
}

/** Where a category item's attributes come from, for an item-size error. */
const CATEGORY_INPUT_FIELDS = {
  slug: 'input.slug',
  name: 'input.name',
  description: 'input.description',
} as const;

/**
 * The counter half of a product transaction (access pattern 14): `productCount + delta` on a
 * category that must exist. The caller maps a failed condition to NotFoundError.
 */
export function productCountChange(tableName: string, slug: string, delta: 1 | -1): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: categoryKey(slug),
      UpdateExpression: 'SET #count = #count + :delta',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#count': 'productCount', '#pk': 'PK' },
      ExpressionAttributeValues: { ':delta': delta },
    },
  };
}

/** The category list is one partition, bounded by what admins create; it is read whole. */
export const MAX_CATEGORIES = 1_000;

export class CategoryRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 4: every category, in slug order, from the one CATEGORIES partition. */
  async all(): Promise<Category[]> {
    const items = await this.db.queryAll(categoriesQuery(), { maxItems: MAX_CATEGORIES });
    for (const item of items) this.db.prime(item);
    return items.map(toCategory);
  }

  getMany(slugs: readonly string[]): Promise<Array<Category | null | Error>> {
    return getMany(this.db.items, slugs, categoryKey, toCategory);
  }

  /**
   * A new category: one PutItem IF attribute_not_exists(PK), so a slug is taken only once.
   * The input has passed the schema's rules (src/domain/validation.ts).
   */
  async create(input: CreateCategoryInput, now = new Date()): Promise<Category> {
    const category: Category = {
      slug: input.slug,
      name: input.name,
      description: input.description ?? '',
      productCount: 0,
      createdAt: now.toISOString(),
    };
    const item = categoryItem(category);
    assertItemFits(item, { maxBytes: this.limits.maxItemBytes, fields: CATEGORY_INPUT_FIELDS });
    // The token tells a re-send that met its own first send from a slug another request took.
    const token = newWriteToken();
    try {
      await this.db.send(
        new PutCommand(
          tokenPut(
            {
              TableName: this.db.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': 'PK' },
            },
            token,
          ),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!isOwnWrite(error, token)) throw new AlreadyExistsError(CATEGORY_ENTITY, category.slug);
    }
    // What was written is the category: later fields of the request need no read.
    this.db.replaceCached(item);
    return category;
  }
}
