import type { Category } from '../domain/types.js';
import type { Item } from '../dynamo/batch-get.js';
import { keys } from '../dynamo/keys.js';
import type { RequestDb } from '../dynamo/request-db.js';
import { read } from './items.js';

export const CATEGORY_ENTITY = 'Category';

export function toCategory(item: Item): Category {
  read.entity(item, CATEGORY_ENTITY);
  return {
    slug: read.string(item, 'slug'),
    name: read.string(item, 'name'),
    description: read.optionalString(item, 'description'),
    productCount: read.int(item, 'productCount', 0),
    createdAt: read.string(item, 'createdAt'),
  };
}

export function categoryItem(category: Category): Item {
  return { ...keys.category(category.slug), entity: CATEGORY_ENTITY, ...category };
}

/** The category list is one partition, bounded by what admins create; it is read whole. */
export const MAX_CATEGORIES = 1_000;

export class CategoryRepository {
  constructor(private readonly db: RequestDb) {}

  /** Access pattern 4: every category, in slug order, from the one CATEGORIES partition. */
  async all(): Promise<Category[]> {
    const categories: Category[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.db.query({
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: {
          ':pk': keys.categoriesPartition(),
          ':prefix': keys.categoryPrefix(),
        },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      for (const item of output.Items ?? []) {
        this.db.prime(item);
        categories.push(toCategory(item));
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey && categories.length < MAX_CATEGORIES);
    return categories;
  }

  async getMany(slugs: readonly string[]): Promise<Array<Category | null | Error>> {
    const items = await this.db.items.loadMany(slugs.map((slug) => keys.category(slug)));
    return items.map((item) => (item instanceof Error || item === null ? item : toCategory(item)));
  }
}
