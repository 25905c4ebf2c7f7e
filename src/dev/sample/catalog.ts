// Over 300 lines: the sample catalog is one generator (categories, products, stock, customers
// and reviews drawn from one seeded PRNG, so the same seed gives the same shop). Development only.
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Category, Customer, Inventory, Product, Review } from '../../domain/types.js';
import { categoriesQuery, categoryItem } from '../../models/category.js';
import { customerItem } from '../../models/customer.js';
import { emailClaimItem } from '../../models/email-claim.js';
import { inventoryItem } from '../../models/inventory.js';
import { productItem } from '../../models/product.js';
import { reviewItem } from '../../models/review.js';
import { reviewerClaimItem } from '../../models/reviewer-claim.js';
import type { Item } from '../../store/batch-get.js';
import { type BatchWriteOptions, batchWriteItems } from '../../store/batch-write.js';
import { createRandom, mulberry32, type Random } from './random.js';
import {
  CATEGORY_SPECS,
  type CategorySpec,
  DESCRIPTION_CLOSINGS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  REVIEW_SENTENCES,
} from './words.js';

/** The customer that `npm start` prints a token for. Never a sample reviewer, so it can review anything. */
export const DEMO_CUSTOMER_ID = 'customer-demo';
export const DEMO_CUSTOMER_NAME = 'Demo Customer';
export const DEMO_CUSTOMER_EMAIL = 'demo@example.com';
/** The admin that `npm start` prints a token for; admins have no profile item. */
export const DEMO_ADMIN_ID = 'admin-demo';

/** What `npm start` loads into an empty table. */
export const SAMPLE_PRODUCTS = 120;
export const DEFAULT_SAMPLE_SEED = 20_240_601;
/** Timestamps are spread over the year before this instant, not before "now": same seed, same items. */
export const SAMPLE_EPOCH_MS = Date.parse('2025-06-01T00:00:00.000Z');
export const MAX_REVIEWS_PER_PRODUCT = 12;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CatalogOptions {
  products: number;
  seed?: number;
  /** Sample customers besides the demo one; default scales with the catalog. */
  customers?: number;
  epochMs?: number;
}

export interface SampleCatalog {
  /** Every item to put, keys and index keys included, built by the models' item codecs. */
  items: Item[];
  categories: Category[];
  products: Product[];
  inventory: Inventory[];
  customers: Customer[];
  reviews: Review[];
  /** Items by `entity`. */
  counts: Record<string, number>;
}

/** Enough distinct reviewers for the busiest product, and roughly one customer per four products. */
export function defaultCustomerCount(products: number): number {
  return Math.max(2 * MAX_REVIEWS_PER_PRODUCT, Math.ceil(products / 4));
}

/**
 * A deterministic shop: categories, products with stock, customers (with the demo customer) and
 * reviews, with every counter (Category.productCount, Product.ratingCount/ratingSum) equal to what
 * the items hold, as the transactions of DESIGN.md would have left them.
 */
export function generateCatalog(options: CatalogOptions): SampleCatalog {
  const { products: productTotal, seed = DEFAULT_SAMPLE_SEED, epochMs = SAMPLE_EPOCH_MS } = options;
  if (!Number.isSafeInteger(productTotal) || productTotal < 0) {
    throw new RangeError(`products must be a non-negative integer, got ${productTotal}`);
  }
  const customerTotal = options.customers ?? defaultCustomerCount(productTotal);
  if (!Number.isSafeInteger(customerTotal) || customerTotal < 0) {
    throw new RangeError(`customers must be a non-negative integer, got ${customerTotal}`);
  }
  const random = createRandom(seed);
  // ULIDs draw their random part from their own seeded stream, so ids do not shift other choices.
  const ids = new IdSource(mulberry32(seed ^ 0x5bd1e995));
  const iso = (ms: number) => new Date(ms).toISOString();
  const between = (lo: number, hi: number) => (hi <= lo ? lo : random.int(lo, hi));

  const categoryCreated = epochMs - 400 * DAY;
  const categories: Category[] = CATEGORY_SPECS.map((spec, i) => ({
    slug: spec.slug,
    name: spec.name,
    description: spec.description,
    productCount: 0,
    createdAt: iso(categoryCreated + i * HOUR),
  }));
  const categoryBySlug = new Map(categories.map((c) => [c.slug, c]));

  const customers: Customer[] = [
    {
      id: DEMO_CUSTOMER_ID,
      name: DEMO_CUSTOMER_NAME,
      email: DEMO_CUSTOMER_EMAIL,
      orderCount: 0,
      createdAt: iso(categoryCreated),
    },
  ];
  const customerCreatedMs = new Map<string, number>();
  const emails = new Set([DEMO_CUSTOMER_EMAIL]);
  for (let i = 0; i < customerTotal; i++) {
    const createdMs = between(epochMs - 420 * DAY, epochMs - 2 * DAY);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const email = uniqueEmail(first, last, random, emails);
    const id = ids.next(createdMs);
    customerCreatedMs.set(id, createdMs);
    customers.push({
      id,
      name: `${first} ${last}`,
      email,
      orderCount: 0,
      createdAt: iso(createdMs),
    });
  }
  // The demo customer never appears as a sample reviewer: its one-review-per-product claim stays free.
  const reviewers = customers.filter((c) => c.id !== DEMO_CUSTOMER_ID);

  const products: Product[] = [];
  const inventory: Inventory[] = [];
  const reviews: Review[] = [];
  const productItems: Item[] = [];
  const weights = CATEGORY_SPECS.map((spec) => spec.weight);
  for (let i = 0; i < productTotal; i++) {
    const spec = random.weighted(CATEGORY_SPECS, weights);
    const createdMs = between(epochMs - 365 * DAY, epochMs - DAY);
    const edited = random.chance(0.4);
    const updatedMs = edited ? between(createdMs + HOUR, epochMs) : createdMs;
    const id = ids.next(createdMs);
    const product: Product = {
      id,
      ...productText(spec, random),
      priceCents: price(spec, random),
      currency: 'USD',
      categorySlug: spec.slug,
      featured: random.chance(0.1),
      version: edited ? random.int(2, 4) : 1,
      ratingCount: 0,
      ratingSum: 0,
      createdAt: iso(createdMs),
      updatedAt: iso(updatedMs),
    };
    const stock = random.weighted(['out', 'low', 'normal'] as const, [5, 10, 85]);
    const stockItem: Inventory = {
      productId: id,
      stock: stock === 'out' ? 0 : stock === 'low' ? random.int(1, 5) : random.int(6, 200),
      updatedAt: iso(updatedMs),
    };

    const productReviews: Review[] = [];
    const reviewCount = Math.min(
      reviewers.length,
      MAX_REVIEWS_PER_PRODUCT,
      // Most products have a few reviews, some have many; featured ones draw more.
      Math.floor((MAX_REVIEWS_PER_PRODUCT + 1) * random.next() ** (product.featured ? 0.8 : 1.7)),
    );
    for (const reviewer of pickDistinct(reviewers, reviewCount, random)) {
      const earliest = Math.max(createdMs, customerCreatedMs.get(reviewer.id) ?? createdMs) + HOUR;
      const reviewMs = between(earliest, epochMs);
      const rating = random.weighted([1, 2, 3, 4, 5], [4, 6, 12, 33, 45]);
      productReviews.push({
        // The ULID's time is the review's createdAt, so REVIEW#<ulid> sorts by time.
        id: ids.next(reviewMs),
        productId: id,
        customerId: reviewer.id,
        rating,
        body: reviewBody(rating, random),
        createdAt: iso(reviewMs),
      });
      product.ratingCount++;
      product.ratingSum += rating;
    }
    const category = categoryBySlug.get(spec.slug);
    if (category) category.productCount++;

    products.push(product);
    inventory.push(stockItem);
    reviews.push(...productReviews);
    // A product's items stay together, so a partial load leaves whole partitions behind.
    productItems.push(productItem(product), inventoryItem(stockItem));
    for (const review of productReviews) {
      productItems.push(reviewItem(review), reviewerClaimItem(review));
    }
  }

  const items: Item[] = [
    ...categories.map(categoryItem),
    ...customers.flatMap((customer) => [
      customerItem(customer),
      emailClaimItem(customer.email, customer.id, customer.createdAt),
    ]),
    ...productItems,
  ];
  const counts: Record<string, number> = {};
  for (const item of items) {
    const entity = String(item.entity);
    counts[entity] = (counts[entity] ?? 0) + 1;
  }
  return { items, categories, products, inventory, customers, reviews, counts };
}

export class SampleDataConflictError extends Error {
  override name = 'SampleDataConflictError';
  constructor(tableName: string) {
    super(
      `Table ${tableName} already has categories: loading sample data into it would overwrite ` +
        'their productCount counters with wrong values. Use an empty table (another TABLE_NAME, ' +
        'or delete this one first).',
    );
  }
}

export interface LoadSampleOptions {
  products: number;
  seed?: number;
  customers?: number;
  concurrency?: number;
  /** Items written so far, out of `total`. */
  onProgress?: (written: number, total: number) => void;
}

/**
 * Generates a catalog and writes it with BatchWriteItem; returns the items written by entity.
 * Refuses a table that already has categories (one Query of the CATEGORIES partition): the sample's
 * counters are only right on a table that holds nothing but the sample.
 */
export async function loadSampleData(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: LoadSampleOptions,
): Promise<Record<string, number>> {
  const existing = await doc.send(
    new QueryCommand({
      TableName: tableName,
      ...categoriesQuery().input,
      Limit: 1,
      ProjectionExpression: '#pk',
    }),
  );
  if ((existing.Items?.length ?? 0) > 0) throw new SampleDataConflictError(tableName);

  const catalog = generateCatalog({
    products: options.products,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.customers === undefined ? {} : { customers: options.customers }),
  });
  const total = catalog.items.length;
  const writeOptions: BatchWriteOptions = {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  };
  const { onProgress } = options;
  if (onProgress) writeOptions.onProgress = (written) => onProgress(written, total);
  await batchWriteItems(doc, tableName, catalog.items, writeOptions);
  return catalog.counts;
}

/** Seeded ULIDs, unique within one catalog (a repeat is drawn again, deterministically). */
class IdSource {
  readonly #seen = new Set<string>();
  constructor(private readonly prng: () => number) {}
  next(timeMs: number): string {
    for (;;) {
      const id = ulid(timeMs, this.prng);
      if (!this.#seen.has(id)) {
        this.#seen.add(id);
        return id;
      }
    }
  }
}

function uniqueEmail(first: string, last: string, random: Random, taken: Set<string>): string {
  const domain = random.pick(EMAIL_DOMAINS);
  const base = `${first}.${last}`.toLowerCase();
  let email = `${base}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${base}${n}@${domain}`;
  taken.add(email);
  return email;
}

function productText(spec: CategorySpec, random: Random): { name: string; description: string } {
  const brand = random.pick(spec.brands);
  const adjective = random.pick(spec.adjectives);
  const noun = random.pick(spec.nouns);
  const details = pickDistinct(spec.details, random.int(2, 3), random);
  const closing = random.pick(DESCRIPTION_CLOSINGS);
  // Nouns keep their case: lowercasing would mangle 'USB-C' or 'SPF 50'.
  const opening = `From ${brand}: the ${adjective} ${noun}.`;
  return {
    name: `${brand} ${adjective} ${noun}`,
    description: [opening, ...details, closing].filter((s) => s !== '').join(' '),
  };
}

/** Whole dollars ending in .99 (sometimes .49), skewed towards the cheap end of the range. */
function price(spec: CategorySpec, random: Random): number {
  const lo = Math.floor(spec.minCents / 100);
  const hi = Math.floor(spec.maxCents / 100);
  const dollars = lo + Math.floor(random.next() ** 2.5 * (hi - lo + 1));
  const cents = dollars * 100 + (random.chance(0.8) ? 99 : 49);
  return Math.min(spec.maxCents, Math.max(spec.minCents, cents));
}

function reviewBody(rating: number, random: Random): string {
  const tone =
    rating >= 4
      ? REVIEW_SENTENCES.positive
      : rating === 3
        ? REVIEW_SENTENCES.neutral
        : REVIEW_SENTENCES.negative;
  return pickDistinct(tone, random.int(1, 3), random).join(' ');
}

/** `count` different elements, in random order (a partial Fisher-Yates over indexes). */
function pickDistinct<T>(values: readonly T[], count: number, random: Random): T[] {
  const n = Math.min(count, values.length);
  if (n <= 0) return [];
  // Small picks from a big pool: rejection is cheaper than copying the pool.
  if (n * 4 < values.length) {
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(random.int(0, values.length - 1));
    return [...chosen].map((i) => values[i] as T);
  }
  const indexes = values.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = random.int(i, indexes.length - 1);
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes.slice(0, n).map((i) => values[i] as T);
}
