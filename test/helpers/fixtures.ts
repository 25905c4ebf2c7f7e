import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Category, Customer, Product, Review } from '../../src/domain/types.js';
import { categoryItem } from '../../src/models/category.js';
import { customerItem } from '../../src/models/customer.js';
import { inventoryItem } from '../../src/models/inventory.js';
import { productItem } from '../../src/models/product.js';
import { reviewItem } from '../../src/models/review.js';
import { reviewerClaimKey } from '../../src/models/reviewer-claim.js';
import type { Item } from '../../src/store/batch-get.js';
import type { TestTable } from './dynamo.js';

const ulid = monotonicFactory();
const now = () => new Date().toISOString();

export function aCategory(slug: string, productCount = 0): Category {
  return {
    slug,
    name: `Category ${slug}`,
    description: `All about ${slug}`,
    productCount,
    createdAt: now(),
  };
}

export function aProduct(overrides: Partial<Product> & { categorySlug: string }): Product {
  const createdAt = overrides.createdAt ?? now();
  return {
    id: ulid(),
    name: 'A product',
    description: 'A fine product',
    priceCents: 1_000,
    currency: 'USD',
    featured: false,
    version: 1,
    ratingCount: 0,
    ratingSum: 0,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function aCustomer(id: string, name = `Customer ${id}`): Customer {
  return { id, name, email: `${id}@example.com`, orderCount: 0, createdAt: now() };
}

export function aReview(
  product: Product,
  customerId: string,
  rating: number,
  createdAt: Date,
): Review {
  return {
    id: ulid(createdAt.getTime()),
    productId: product.id,
    customerId,
    rating,
    body: `Review by ${customerId}`,
    createdAt: createdAt.toISOString(),
  };
}

/** Writes items with BatchWriteItem (test setup only), retrying what DynamoDB leaves unprocessed. */
export async function putItems(table: TestTable, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await table.dynamo.doc.send(
        new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    }
  }
}

export interface Catalog {
  categories: Category[];
  products: Product[];
  stock: Map<string, number>;
  reviews: Review[];
  customers: Customer[];
}

/**
 * A small catalog with known values: `tools` has 45 products priced 100, 200, ... 4500 cents,
 * `toys` has 5; every 5th tools product is featured; the first tools product has 12 reviews,
 * by 12 customers, one day apart.
 */
export async function loadCatalog(table: TestTable): Promise<Catalog> {
  const tools = Array.from({ length: 45 }, (_, i) =>
    aProduct({
      categorySlug: 'tools',
      name: `Tool ${String(i + 1).padStart(2, '0')}`,
      priceCents: (i + 1) * 100,
      featured: i % 5 === 0,
      updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    }),
  );
  const toys = Array.from({ length: 5 }, (_, i) =>
    aProduct({ categorySlug: 'toys', name: `Toy ${i + 1}`, priceCents: 500 + i }),
  );
  const customers = Array.from({ length: 12 }, (_, i) => aCustomer(`fixture-customer-${i}`));
  const reviewed = tools[0]!;
  const reviews = customers.map((customer, i) =>
    aReview(reviewed, customer.id, (i % 5) + 1, new Date(Date.UTC(2026, 1, 1 + i))),
  );
  reviewed.ratingCount = reviews.length;
  reviewed.ratingSum = reviews.reduce((sum, r) => sum + r.rating, 0);
  const products = [...tools, ...toys];
  const stock = new Map(products.map((p, i) => [p.id, i % 7 === 0 ? 0 : 10 + i]));
  const categories = [aCategory('tools', tools.length), aCategory('toys', toys.length)];
  const items: Item[] = [
    ...categories.map(categoryItem),
    ...products.map(productItem),
    ...products.map((p) =>
      inventoryItem({ productId: p.id, stock: stock.get(p.id) ?? 0, updatedAt: p.updatedAt }),
    ),
    ...customers.map(customerItem),
    ...reviews.map(reviewItem),
    ...reviews.map((r) => ({
      ...reviewerClaimKey(r.productId, r.customerId),
      entity: 'ReviewerClaim',
      productId: r.productId,
      customerId: r.customerId,
      reviewId: r.id,
      createdAt: r.createdAt,
    })),
  ];
  await putItems(table, items);
  return { categories, products, stock, reviews, customers };
}
