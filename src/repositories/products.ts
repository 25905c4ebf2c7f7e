import { ulid } from 'ulid';
import type { Product } from '../domain/types.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../errors/domain.js';
import { categoryKey } from '../models/category.js';
import { inventoryItem } from '../models/inventory.js';
import {
  categoryProductsQuery,
  featuredProductsQuery,
  PRODUCT_ENTITY,
  productItem,
  productItemUpdate,
  productKey,
  toProduct,
} from '../models/product.js';
import type { TableKey } from '../models/table-schema.js';
import type { Item } from '../store/batch-get.js';
import type { CursorCodec } from '../store/cursor.js';
import { assertItemFits } from '../store/item-size.js';
import { type Page, type PageArgs, queryPage } from '../store/paginate.js';
import type { RequestDb } from '../store/request-db.js';
import {
  type TransactItem,
  TransactionCancelled,
  transactWrite,
  withOldItem,
} from '../store/transact.js';
import { productCountChange } from './categories.js';
import { newInventoryPut } from './inventory.js';
import { getMany, type RepositoryLimits } from './items.js';
import { LookAhead, pageKey } from './look-ahead.js';

// Kept for scripts and test helpers that import the codec from here (src/models owns it).

/**
 * The fields of a new product. The schema's rules (src/domain/validation.ts) have checked them;
 * absent optional fields take their defaults here.
 */
export interface CreateProductInput {
  name: string;
  description: string;
  priceCents: number;
  currency?: string | null | undefined;
  categorySlug: string;
  featured?: boolean | null | undefined;
  stock: number;
}

/** Absent (or null) fields keep their value. */
export interface UpdateProductInput {
  id: string;
  expectedVersion: number;
  name?: string | null | undefined;
  description?: string | null | undefined;
  priceCents?: number | null | undefined;
  categorySlug?: string | null | undefined;
  featured?: boolean | null | undefined;
}

type ProductChanges = Partial<
  Pick<Product, 'name' | 'description' | 'priceCents' | 'categorySlug' | 'featured'>
>;

/** The fields an update gives; null means "keep", so it is left out. */
export function productChanges(input: UpdateProductInput): ProductChanges {
  const changes: ProductChanges = {};
  if (input.name != null) changes.name = input.name;
  if (input.description != null) changes.description = input.description;
  if (input.priceCents != null) changes.priceCents = input.priceCents;
  if (input.categorySlug != null) changes.categorySlug = input.categorySlug;
  if (input.featured != null) changes.featured = input.featured;
  return changes;
}

/** Where a product item's attributes come from, for an item-size error. */
const PRODUCT_INPUT_FIELDS = {
  name: 'input.name',
  description: 'input.description',
  currency: 'input.currency',
  categorySlug: 'input.categorySlug',
} as const;

/** Positions of the actions in updateProduct's transaction (reasons come back in this order). */
const UPDATE_PRODUCT = 0;
const UPDATE_NEW_CATEGORY = 1;

/** Positions of the actions in createProduct's transaction. */
const CREATE_CATEGORY_COUNT = 2;

export type ProductSort = 'PRICE_ASC' | 'PRICE_DESC';

export interface CategoryProductsArgs extends PageArgs {
  minPriceCents?: number | null;
  maxPriceCents?: number | null;
  sort?: ProductSort | null;
}

export class ProductRepository {
  readonly #lookAhead = new LookAhead<Page<Product>>();

  constructor(
    private readonly db: RequestDb,
    private readonly cursors: CursorCodec,
    private readonly limits: RepositoryLimits = {},
  ) {}

  /** Access pattern 1: products by id, batched into BatchGetItem; a missing id is null. */
  getMany(ids: readonly string[]): Promise<Array<Product | null | Error>> {
    return getMany(this.db.items, ids, productKey, toProduct);
  }

  /** Access pattern 2: a category's products by price (GSI1), in a price range, either way. */
  byCategory(slug: string, args: CategoryProductsArgs, binding: string): Promise<Page<Product>> {
    return this.#lookAhead.take(pageKey(slug, binding, args), () =>
      this.#byCategory(slug, args, binding),
    );
  }

  /**
   * Starts `byCategory` before its field resolves (the `category` look-ahead in
   * src/schema/types/category.ts); the first `byCategory` with the same arguments takes it.
   */
  prefetchByCategory(
    slug: string,
    args: CategoryProductsArgs,
    binding: string,
  ): Promise<Page<Product>> {
    return this.#lookAhead.start(pageKey(slug, binding, args), () =>
      this.#byCategory(slug, args, binding),
    );
  }

  #byCategory(slug: string, args: CategoryProductsArgs, binding: string): Promise<Page<Product>> {
    return queryPage({
      db: this.db,
      cursors: this.cursors,
      binding,
      args,
      query: categoryProductsQuery(slug, args.minPriceCents, args.maxPriceCents),
      scanIndexForward: args.sort !== 'PRICE_DESC',
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
      query: featuredProductsQuery(),
      scanIndexForward: false,
      map: (item) => this.#primed(item),
    });
  }

  /**
   * Access pattern 14 (create): one TransactWriteItems that puts the product and its inventory,
   * both IF attribute_not_exists(PK), and counts it in its category, which must exist.
   */
  async create(input: CreateProductInput, now = new Date()): Promise<Product> {
    const at = now.toISOString();
    const product: Product = {
      id: ulid(now.getTime()),
      name: input.name,
      description: input.description,
      priceCents: input.priceCents,
      currency: input.currency ?? 'USD',
      categorySlug: input.categorySlug,
      featured: input.featured ?? false,
      version: 1,
      ratingCount: 0,
      ratingSum: 0,
      createdAt: at,
      updatedAt: at,
    };
    const inventory = { productId: product.id, stock: input.stock, updatedAt: at };
    const item = productItem(product);
    this.#assertFits(item);
    const tableName = this.db.tableName;
    try {
      await transactWrite(this.db, [
        {
          Put: {
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'PK' },
          },
        },
        newInventoryPut(tableName, inventory),
        productCountChange(tableName, product.categorySlug, 1),
      ]);
    } catch (error) {
      if (
        error instanceof TransactionCancelled &&
        error.reasons[CREATE_CATEGORY_COUNT]?.code === 'ConditionalCheckFailed'
      ) {
        throw categoryNotFound(product.categorySlug);
      }
      throw error;
    }
    // What was written is the product: the answer's fields (stock included) need no read.
    this.db.replaceCached(item);
    this.db.replaceCached(inventoryItem(inventory));
    this.db.items.clear(categoryKey(product.categorySlug));
    return product;
  }

  /**
   * Access pattern 14 (update), with optimistic locking. The current item is read consistently
   * to learn the old category and price (index keys are recomputed from them) and to refuse a
   * stale version at once; the write keeps `version = :expected` as its condition, so an update
   * that lands between that read and this write still wins and this one gets the conflict.
   */
  async update(input: UpdateProductInput, now = new Date()): Promise<Product> {
    const changes = productChanges(input);
    const key = productKey(input.id);
    const currentItem = await this.#readConsistent(key);
    if (!currentItem) throw new NotFoundError(PRODUCT_ENTITY, input.id);
    const current = toProduct(currentItem);
    if (current.version !== input.expectedVersion) {
      throw new VersionConflictError(input.expectedVersion, current.version);
    }
    const fields = Object.keys(changes) as Array<keyof ProductChanges>;
    // Also refuses an empty change, should a caller skip the schema's rule.
    if (fields.every((field) => changes[field] === current[field])) {
      throw new ValidationError(
        'input',
        'changes nothing: every given field has that value already',
      );
    }
    const next: Product = {
      ...current,
      ...changes,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    // productItem decides the index keys (GSI2 only when featured), so the stored item stays what
    // productItem would build: set what differs, remove index keys that no longer apply.
    const nextItem = productItem(next);
    // The whole item after the update, kept attributes too: that is what DynamoDB measures.
    this.#assertFits(nextItem);
    const change = productItemUpdate(currentItem, nextItem);
    const tableName = this.db.tableName;
    const actions: TransactItem[] = [
      withOldItem({
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: change.expression,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: change.names,
          ExpressionAttributeValues: { ...change.values, ':expected': input.expectedVersion },
        },
      }),
    ];
    const moved = next.categorySlug !== current.categorySlug;
    if (moved) {
      // UPDATE_NEW_CATEGORY, then the old one.
      actions.push(
        productCountChange(tableName, next.categorySlug, 1),
        productCountChange(tableName, current.categorySlug, -1),
      );
    }
    try {
      await transactWrite(this.db, actions);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const product = error.reasons[UPDATE_PRODUCT];
      if (product?.code === 'ConditionalCheckFailed') {
        // ALL_OLD: the item as it is now, so the conflict needs no extra read.
        if (!product.item) throw new NotFoundError(PRODUCT_ENTITY, input.id);
        throw new VersionConflictError(input.expectedVersion, toProduct(product.item).version);
      }
      if (moved && error.reasons[UPDATE_NEW_CATEGORY]?.code === 'ConditionalCheckFailed') {
        throw categoryNotFound(next.categorySlug);
      }
      throw error;
    }
    if (moved) {
      this.db.items.clear(categoryKey(next.categorySlug));
      this.db.items.clear(categoryKey(current.categorySlug));
    }
    // Read back rather than answer `next`: a review may have moved the rating in the meantime.
    const updated = await this.getFresh(input.id);
    if (!updated) throw new NotFoundError(PRODUCT_ENTITY, input.id);
    return updated;
  }

  /** The product as stored now (consistent read); it also replaces what the request cached. */
  async getFresh(id: string): Promise<Product | null> {
    const item = await this.#readConsistent(productKey(id));
    return item ? toProduct(item) : null;
  }

  async #readConsistent(key: TableKey): Promise<Item | null> {
    // The consistent loader caches too: a second mutation in the same request must read again.
    this.db.consistentItems.clear(key);
    const item = await this.db.consistentItems.load(key);
    if (item) this.db.replaceCached(item);
    return item;
  }

  #assertFits(item: Item): void {
    assertItemFits(item, { maxBytes: this.limits.maxItemBytes, fields: PRODUCT_INPUT_FIELDS });
  }

  #primed(item: Item): Product {
    this.db.prime(item);
    return toProduct(item);
  }
}

function categoryNotFound(slug: string): NotFoundError {
  return new NotFoundError('Category', slug, `input.categorySlug: category "${slug}" not found`);
}
