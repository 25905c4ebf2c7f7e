import type { Product } from '../domain/types.js';
import type { Item } from '../dynamo/batch-get.js';
import type { CursorCodec } from '../dynamo/cursor.js';
import { keys } from '../dynamo/keys.js';
import { type Page, type PageArgs, queryPage } from '../dynamo/paginate.js';
import type { RequestDb } from '../dynamo/request-db.js';
import { read } from './items.js';

export const PRODUCT_ENTITY = 'Product';

export function toProduct(item: Item): Product {
  read.entity(item, PRODUCT_ENTITY);
  return {
    id: read.string(item, 'id'),
    name: read.string(item, 'name'),
    description: read.optionalString(item, 'description'),
    priceCents: read.int(item, 'priceCents'),
    currency: read.string(item, 'currency'),
    categorySlug: read.string(item, 'categorySlug'),
    featured: read.bool(item, 'featured'),
    version: read.int(item, 'version'),
    ratingCount: read.int(item, 'ratingCount', 0),
    ratingSum: read.int(item, 'ratingSum', 0),
    createdAt: read.string(item, 'createdAt'),
    updatedAt: read.string(item, 'updatedAt'),
  };
}

/** The stored item of a product, with its index keys (GSI2 only when featured: sparse). */
export function productItem(product: Product): Item {
  return {
    ...keys.product(product.id),
    entity: PRODUCT_ENTITY,
    ...product,
    ...keys.productByCategory(product.categorySlug, product.priceCents, product.id),
    ...(product.featured ? keys.featuredProduct(product.updatedAt, product.id) : {}),
  };
}

export type ProductSort = 'PRICE_ASC' | 'PRICE_DESC';

export interface CategoryProductsArgs extends PageArgs {
  minPriceCents?: number | null;
  maxPriceCents?: number | null;
  sort?: ProductSort | null;
}

const GSI1_KEY = ['PK', 'SK', 'GSI1PK', 'GSI1SK'] as const;
const GSI2_KEY = ['PK', 'SK', 'GSI2PK', 'GSI2SK'] as const;

export class ProductRepository {
  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
  ) {}

  /** Access pattern 1: products by id, batched into BatchGetItem; a missing id is null. */
  async getMany(ids: readonly string[]): Promise<Array<Product | null | Error>> {
    const items = await this.db.items.loadMany(ids.map((id) => keys.product(id)));
    return items.map((item) => (item instanceof Error || item === null ? item : toProduct(item)));
  }

  /** Access pattern 2: a category's products by price (GSI1), in a price range, either way. */
  byCategory(slug: string, args: CategoryProductsArgs, binding: string): Promise<Page<Product>> {
    const range = keys.priceRange(args.minPriceCents, args.maxPriceCents);
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      keyAttributes: GSI1_KEY,
      input: {
        IndexName: 'GSI1',
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'GSI1PK', '#sk': 'GSI1SK' },
        ExpressionAttributeValues: {
          ':pk': keys.categoryProductsPartition(slug),
          ':from': range.from,
          ':to': range.to,
        },
        ScanIndexForward: args.sort !== 'PRICE_DESC',
      },
      map: (item) => this.#primed(item),
    });
  }

  /** Access pattern 3: featured products, newest first, from the sparse GSI2. */
  featured(args: PageArgs, binding: string): Promise<Page<Product>> {
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      keyAttributes: GSI2_KEY,
      input: {
        IndexName: 'GSI2',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'GSI2PK' },
        ExpressionAttributeValues: { ':pk': keys.featuredPartition() },
        ScanIndexForward: false,
      },
      map: (item) => this.#primed(item),
    });
  }

  #primed(item: Item): Product {
    this.db.prime(item);
    return toProduct(item);
  }
}
