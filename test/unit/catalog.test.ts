import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import {
  DEMO_CUSTOMER_ID,
  generateCatalog,
  MAX_REVIEWS_PER_PRODUCT,
  SAMPLE_EPOCH_MS,
} from '../../src/dev/sample/catalog.js';
import { toCategory } from '../../src/models/category.js';
import { toCustomer } from '../../src/models/customer.js';
import { toInventory } from '../../src/models/inventory.js';
import { toProduct } from '../../src/models/product.js';
import { toReview } from '../../src/models/review.js';
import { keyId } from '../../src/models/table-schema.js';

const catalog = generateCatalog({ products: 400, seed: 7 });
const byEntity = (entity: string) => catalog.items.filter((item) => item.entity === entity);

describe('generateCatalog', () => {
  it('gives identical output for the same seed, and another catalog for another seed', () => {
    expect(generateCatalog({ products: 400, seed: 7 })).toEqual(catalog);
    const other = generateCatalog({ products: 400, seed: 8 });
    expect(other.products.map((p) => p.id)).not.toEqual(catalog.products.map((p) => p.id));
  });

  it('has the requested number of products, each with one Inventory item', () => {
    expect(byEntity('Product')).toHaveLength(400);
    const stock = byEntity('Inventory').map(toInventory);
    expect(stock.map((s) => s.productId).sort()).toEqual(catalog.products.map((p) => p.id).sort());
    for (const s of stock) expect(s.stock).toBeGreaterThanOrEqual(0);
    for (const s of stock) expect(s.stock).toBeLessThanOrEqual(200);
    // Some out of stock and some low, so those paths show up in a demo.
    expect(stock.filter((s) => s.stock === 0).length).toBeGreaterThan(0);
    expect(stock.filter((s) => s.stock > 0 && s.stock <= 5).length).toBeGreaterThan(0);
  });

  it('every item has an entity and parses with its repository reader', () => {
    const readers: Record<string, (item: Record<string, unknown>) => unknown> = {
      Category: toCategory,
      Product: toProduct,
      Inventory: toInventory,
      Review: toReview,
      Customer: toCustomer,
    };
    for (const item of catalog.items) {
      expect(typeof item.entity).toBe('string');
      const read = readers[String(item.entity)];
      if (read) expect(() => read(item)).not.toThrow();
    }
    expect(Object.keys(catalog.counts).sort()).toEqual([
      'Category',
      'Customer',
      'EmailClaim',
      'Inventory',
      'Product',
      'Review',
      'ReviewerClaim',
    ]);
  });

  it('has no two items with the same PK/SK', () => {
    const ids = catalog.items.map((item) => keyId({ PK: String(item.PK), SK: String(item.SK) }));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps each category's productCount equal to its products", () => {
    const categories = byEntity('Category').map(toCategory);
    expect(categories.length).toBeGreaterThanOrEqual(8);
    expect(categories.length).toBeLessThanOrEqual(12);
    for (const category of categories) {
      expect(category.slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      const products = catalog.products.filter((p) => p.categorySlug === category.slug);
      expect(category.productCount).toBe(products.length);
    }
    expect(categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(400);
  });

  it("keeps each product's ratingCount/ratingSum equal to its reviews, one per customer", () => {
    const reviews = byEntity('Review').map(toReview);
    const claims = byEntity('ReviewerClaim');
    expect(claims).toHaveLength(reviews.length);
    const byProduct = new Map<string, typeof reviews>();
    for (const r of reviews) byProduct.set(r.productId, [...(byProduct.get(r.productId) ?? []), r]);
    for (const item of byEntity('Product')) {
      const product = toProduct(item);
      const own = byProduct.get(product.id) ?? [];
      expect(product.ratingCount).toBe(own.length);
      expect(product.ratingSum).toBe(own.reduce((sum, r) => sum + r.rating, 0));
      expect(own.length).toBeLessThanOrEqual(MAX_REVIEWS_PER_PRODUCT);
      expect(new Set(own.map((r) => r.customerId)).size).toBe(own.length);
    }
    const claimsByKey = new Map(claims.map((c) => [`${c.PK}/${c.SK}`, c]));
    for (const review of reviews) {
      expect(review.rating).toBeGreaterThanOrEqual(1);
      expect(review.rating).toBeLessThanOrEqual(5);
      const claim = claimsByKey.get(`PRODUCT#${review.productId}/REVIEWER#${review.customerId}`);
      expect(claim).toMatchObject({ reviewId: review.id, createdAt: review.createdAt });
    }
    // Skewed positive.
    const mean = reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length;
    expect(mean).toBeGreaterThan(3.5);
  });

  it('gives review ids whose ULID time is their createdAt (SK order is time order)', () => {
    const created = new Map(catalog.products.map((p) => [p.id, p.createdAt]));
    for (const review of catalog.reviews) {
      expect(decodeTime(review.id)).toBe(Date.parse(review.createdAt));
      // A review comes after its product ('~' sorts after any ISO date: a missing product fails).
      expect(review.createdAt > (created.get(review.productId) ?? '~')).toBe(true);
      expect(Date.parse(review.createdAt)).toBeLessThanOrEqual(SAMPLE_EPOCH_MS);
    }
  });

  it('puts GSI2 keys on featured products only (about 10%), and GSI1 keys on all', () => {
    const products = byEntity('Product');
    const featured = products.filter((item) => item.featured === true);
    expect(featured.length).toBeGreaterThan(400 * 0.05);
    expect(featured.length).toBeLessThan(400 * 0.15);
    for (const item of products) {
      const product = toProduct(item);
      expect(item.GSI1PK).toBe(`CATEGORY#${product.categorySlug}`);
      if (product.featured) {
        expect(item.GSI2PK).toBe('FEATURED');
        expect(item.GSI2SK).toBe(`${product.updatedAt}#${product.id}`);
      } else {
        expect(item).not.toHaveProperty('GSI2PK');
        expect(item).not.toHaveProperty('GSI2SK');
      }
      expect(Number.isInteger(product.priceCents)).toBe(true);
      expect(product.priceCents).toBeGreaterThan(0);
      expect(product.currency).toBe('USD');
      expect(product.updatedAt >= product.createdAt).toBe(true);
    }
  });

  it('includes the demo customer and one email claim per customer, emails unique', () => {
    const customers = byEntity('Customer').map(toCustomer);
    expect(customers.find((c) => c.id === DEMO_CUSTOMER_ID)).toMatchObject({
      name: 'Demo Customer',
      email: 'demo@example.com',
    });
    const emails = customers.map((c) => c.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
    const claims = byEntity('EmailClaim');
    expect(claims).toHaveLength(customers.length);
    for (const customer of customers) {
      expect(claims).toContainEqual(
        expect.objectContaining({
          PK: `EMAIL#${customer.email.toLowerCase()}`,
          SK: 'EMAIL',
          customerId: customer.id,
        }),
      );
    }
    // The demo customer is left free to review any product.
    expect(catalog.reviews.some((r) => r.customerId === DEMO_CUSTOMER_ID)).toBe(false);
  });

  it('counts items by entity', () => {
    expect(Object.values(catalog.counts).reduce((a, b) => a + b, 0)).toBe(catalog.items.length);
    expect(catalog.counts.Review).toBe(catalog.reviews.length);
    expect(catalog.counts.Product).toBe(400);
  });

  it('refuses a negative or fractional product count', () => {
    expect(() => generateCatalog({ products: -1 })).toThrow(RangeError);
    expect(() => generateCatalog({ products: 1.5 })).toThrow(RangeError);
  });
});
