import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { ulid } from 'ulid';
import type { OrderStatus } from '../../domain/order-status.js';
import { type Order, shardOf } from '../../domain/orders.js';
import type { Product } from '../../domain/types.js';
import { CART_LINE_TTL_SECONDS, cartLineItem } from '../../models/cart-line.js';
import { categoryItem } from '../../models/category.js';
import { customerItem } from '../../models/customer.js';
import { inventoryItem } from '../../models/inventory.js';
import { orderItem } from '../../models/order.js';
import { productItem } from '../../models/product.js';
import { ttlFromNow } from '../../models/table-schema.js';
import type { Item } from '../../store/batch-get.js';
import { batchWriteItems } from '../../store/batch-write.js';
import { generateCatalog } from '../sample/catalog.js';
import { mulberry32 } from '../sample/random.js';

export const BENCH_SEED = 20_250_101;
/** Orders of every "Me" customer, and lines per order, and cart lines. */
export const ME_ORDERS = 10;
export const ME_ORDER_LINES = 3;
export const ME_CART_LINES = 3;
export const HOT_PRODUCTS = 3;
export const HOT_CATEGORY = 'bench-hot';

export interface DatasetOptions {
  products: number;
  meCustomers: number;
  buyers: number;
  hotStock: number;
  orderStatusShards: number;
}

export interface BenchData {
  options: DatasetOptions;
  /** Items written, by entity. */
  counts: Record<string, number>;
  totalItems: number;
  loadMs: number;
  /** Global ids of products with at least 10 reviews (ProductPage). */
  reviewedProducts: string[];
  /** Categories with more than 20 products (CategoryPage, 20 a page). */
  bigCategories: string[];
  /** 100 product global ids (Products). */
  hundredProducts: string[];
  /** Customers with 10 orders of 3 lines and a cart of 3 lines (Me). */
  meCustomers: string[];
  /** Customers with a profile and nothing else (placeOrder under contention). */
  buyers: string[];
  /** The contended products: stock `hotStock` each. */
  hotProducts: Array<{ id: string; gid: string; stock: number }>;
  /** A product nobody reviewed, for AddReview. */
  unreviewedProduct: string;
  /** Two ordinary products with stock, for the cart and order round trips. */
  stockedProducts: [string, string];
}

export const productGid = (id: string) => encodeGlobalID('Product', id);

/**
 * The fixed dataset: the sample catalog generator (same seed, same items) plus the bench's own
 * customers, orders and carts, written with BatchWriteItem. Deterministic except for the ids of
 * the contended products and the cart expiry (now + 7 days).
 */
export async function loadBenchData(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: DatasetOptions,
): Promise<BenchData> {
  const started = Date.now();
  const catalog = generateCatalog({ products: options.products, seed: BENCH_SEED });
  const random = mulberry32(BENCH_SEED);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const items: Item[] = [...catalog.items];

  const stock = new Map(catalog.inventory.map((i) => [i.productId, i.stock]));
  const ordinary = catalog.products.filter((p) => (stock.get(p.id) ?? 0) > 20);
  if (ordinary.length < 10) throw new Error('the dataset needs at least 10 products in stock');

  const now = Date.now();
  const meCustomers: string[] = [];
  for (let c = 0; c < options.meCustomers; c++) {
    const customerId = `bench-me-${c}`;
    meCustomers.push(customerId);
    items.push(
      customerItem({
        id: customerId,
        name: `Bench Customer ${c}`,
        email: `bench-me-${c}@example.com`,
        orderCount: ME_ORDERS,
        createdAt: new Date(now - 400 * 86_400_000).toISOString(),
      }),
    );
    const statuses: OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED'];
    for (let o = 0; o < ME_ORDERS; o++) {
      const createdMs = now - (ME_ORDERS - o) * 86_400_000 - Math.floor(random() * 3_600_000);
      const products = distinct(ordinary, ME_ORDER_LINES, pick);
      const lines = products.map((p) => ({
        productId: p.id,
        quantity: 1 + Math.floor(random() * 3),
        unitPriceCents: p.priceCents,
        productName: p.name,
      }));
      const id = ulid(createdMs, random);
      const order: Order = {
        id,
        customerId,
        status: statuses[o % statuses.length] as OrderStatus,
        lines,
        totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
        currency: 'USD',
        createdAt: new Date(createdMs).toISOString(),
        updatedAt: new Date(createdMs).toISOString(),
        shard: shardOf(id, options.orderStatusShards),
      };
      items.push(orderItem(order));
    }
    distinct(ordinary, ME_CART_LINES, pick).forEach((product, i) => {
      const at = new Date(now - (ME_CART_LINES - i) * 60_000).toISOString();
      items.push(
        cartLineItem({
          customerId,
          productId: product.id,
          quantity: 1 + (i % 2),
          addedAt: at,
          updatedAt: at,
          expiresAt: ttlFromNow(CART_LINE_TTL_SECONDS, now),
        }),
      );
    });
  }

  const buyers: string[] = [];
  for (let b = 0; b < options.buyers; b++) {
    const id = `bench-buyer-${b}`;
    buyers.push(id);
    items.push(
      customerItem({
        id,
        name: `Bench Buyer ${b}`,
        email: `bench-buyer-${b}@example.com`,
        orderCount: 0,
        createdAt: new Date(now).toISOString(),
      }),
    );
  }

  const at = new Date(now).toISOString();
  items.push(
    categoryItem({
      slug: HOT_CATEGORY,
      name: 'Contended products',
      description: 'Products that the placeOrder benchmark orders concurrently',
      productCount: HOT_PRODUCTS,
      createdAt: at,
    }),
  );
  const hotProducts: BenchData['hotProducts'] = [];
  for (let h = 0; h < HOT_PRODUCTS; h++) {
    const product: Product = {
      id: ulid(now),
      name: `Limited edition ${h + 1}`,
      description: 'Only so many',
      priceCents: 2_999 + h * 1_000,
      currency: 'USD',
      categorySlug: HOT_CATEGORY,
      featured: false,
      version: 1,
      ratingCount: 0,
      ratingSum: 0,
      createdAt: at,
      updatedAt: at,
    };
    items.push(
      productItem(product),
      inventoryItem({ productId: product.id, stock: options.hotStock, updatedAt: at }),
    );
    hotProducts.push({ id: product.id, gid: productGid(product.id), stock: options.hotStock });
  }

  await batchWriteItems(doc, tableName, items, { concurrency: 8 });

  const counts: Record<string, number> = {};
  for (const item of items) {
    const entity = String(item.entity);
    counts[entity] = (counts[entity] ?? 0) + 1;
  }
  const reviewedProducts = catalog.products
    .filter((p) => p.ratingCount >= 10)
    .slice(0, 10)
    .map((p) => productGid(p.id));
  const bigCategories = catalog.categories.filter((c) => c.productCount > 20).map((c) => c.slug);
  if (reviewedProducts.length === 0) throw new Error('no product with 10 reviews in the dataset');
  if (bigCategories.length === 0) throw new Error('no category with more than 20 products');
  if (catalog.products.length < 100) throw new Error('the dataset needs at least 100 products');
  const unreviewed = catalog.products.find((p) => p.ratingCount === 0) ?? catalog.products[0];
  return {
    options,
    counts,
    totalItems: items.length,
    loadMs: Date.now() - started,
    reviewedProducts,
    bigCategories,
    hundredProducts: catalog.products.slice(0, 100).map((p) => productGid(p.id)),
    meCustomers,
    buyers,
    hotProducts,
    unreviewedProduct: productGid((unreviewed as Product).id),
    stockedProducts: [
      productGid((ordinary[0] as Product).id),
      productGid((ordinary[1] as Product).id),
    ],
  };
}

function distinct<T>(values: readonly T[], count: number, pick: (v: readonly T[]) => T): T[] {
  const chosen = new Set<T>();
  for (let guard = 0; chosen.size < count && guard < 1_000; guard++) chosen.add(pick(values));
  return [...chosen];
}
