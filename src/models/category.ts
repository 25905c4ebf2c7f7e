import type { Category } from '../domain/types.js';
import type { Item } from '../store/batch-get.js';
import { read } from './read.js';
import { type KeyQuery, keyQuery, type TableKey } from './table-schema.js';

/** Category: `CATEGORIES` / `CATEGORY#<slug>`; the whole list is one partition. */
export const CATEGORY_ENTITY = 'Category';

const CATEGORIES_PARTITION = 'CATEGORIES';
const CATEGORY_PREFIX = 'CATEGORY#';

export function categoryKey(slug: string): TableKey {
  return { PK: CATEGORIES_PARTITION, SK: `${CATEGORY_PREFIX}${slug}` };
}

/** Whether a key is in the categories partition (a category item). */
export function isCategoryKey(key: TableKey): boolean {
  return key.PK === CATEGORIES_PARTITION;
}

/** Access pattern 4: every category, in slug order. */
export function categoriesQuery(): KeyQuery {
  return keyQuery(undefined, CATEGORIES_PARTITION, { beginsWith: CATEGORY_PREFIX });
}

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
  return { ...categoryKey(category.slug), entity: CATEGORY_ENTITY, ...category };
}
