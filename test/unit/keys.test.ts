import { describe, expect, it } from 'vitest';
import { cartLineKey } from '../../src/models/cart-line.js';
import { categoryKey } from '../../src/models/category.js';
import { customerKey } from '../../src/models/customer.js';
import { emailClaimKey } from '../../src/models/email-claim.js';
import { idempotencyRecordKey } from '../../src/models/idempotency.js';
import { inventoryKey } from '../../src/models/inventory.js';
import { orderByStatusKey, orderKey } from '../../src/models/order.js';
import {
  categoryProductsQuery,
  featuredProductKey,
  isProductItemKey,
  padCents,
  priceRange,
  productByCategoryKey,
  productIdOfPartition,
  productKey,
} from '../../src/models/product.js';
import { reviewKey } from '../../src/models/review.js';
import { reviewerClaimKey } from '../../src/models/reviewer-claim.js';
import { keyId } from '../../src/models/table-schema.js';

describe('keys (DESIGN.md "The table")', () => {
  it('builds every entity key as documented', () => {
    expect(customerKey('c1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'PROFILE' });
    expect(emailClaimKey('Ann@Example.COM')).toEqual({
      PK: 'EMAIL#ann@example.com',
      SK: 'EMAIL',
    });
    expect(categoryKey('tea')).toEqual({ PK: 'CATEGORIES', SK: 'CATEGORY#tea' });
    expect(productKey('p1')).toEqual({ PK: 'PRODUCT#p1', SK: 'PRODUCT' });
    expect(inventoryKey('p1')).toEqual({ PK: 'PRODUCT#p1', SK: 'INVENTORY' });
    expect(reviewKey('p1', 'r1')).toEqual({ PK: 'PRODUCT#p1', SK: 'REVIEW#r1' });
    expect(reviewerClaimKey('p1', 'c1')).toEqual({ PK: 'PRODUCT#p1', SK: 'REVIEWER#c1' });
    expect(cartLineKey('c1', 'p1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'CART#p1' });
    expect(orderKey('c1', 'o1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'ORDER#o1' });
    expect(idempotencyRecordKey('c1', 'k')).toEqual({ PK: 'CUSTOMER#c1', SK: 'IDEMPOTENCY#k' });
    expect(productByCategoryKey('tea', 1999, 'p1')).toEqual({
      GSI1PK: 'CATEGORY#tea',
      GSI1SK: 'PRICE#000000001999#p1',
    });
    expect(featuredProductKey('2026-01-01T00:00:00.000Z', 'p1')).toEqual({
      GSI2PK: 'FEATURED',
      GSI2SK: '2026-01-01T00:00:00.000Z#p1',
    });
    expect(orderByStatusKey('PAID', 3, '2026-01-01T00:00:00.000Z', 'o1')).toEqual({
      GSI2PK: 'ORDERSTATUS#PAID#3',
      GSI2SK: '2026-01-01T00:00:00.000Z#o1',
    });
  });

  it('pads prices so that string order is numeric order', () => {
    const prices = [5, 10_000, 99, 1_000_000, 0];
    const sorted = prices.map((p) => `PRICE#${padCents(p)}#x`).sort();
    expect(sorted.map((k) => Number(k.split('#')[1]))).toEqual([0, 5, 99, 10_000, 1_000_000]);
    expect(() => padCents(-1)).toThrow(RangeError);
    expect(() => padCents(1.5)).toThrow(RangeError);
    expect(() => padCents(1e12)).toThrow(RangeError);
  });

  it('price ranges are inclusive of both bounds and of every product id at them', () => {
    const { from, to } = priceRange(100, 200);
    const at = (cents: number, id: string) => productByCategoryKey('c', cents, id).GSI1SK;
    const inside = (sk: string) => sk >= from && sk <= to;
    expect(inside(at(100, '01A'))).toBe(true);
    expect(inside(at(200, 'zzzzzz'))).toBe(true);
    expect(inside(at(99, 'zzzz'))).toBe(false);
    expect(inside(at(201, '0'))).toBe(false);
    const open = priceRange(null, undefined);
    expect(inside.call(null, at(0, 'a'))).toBe(false);
    expect(at(0, 'a') >= open.from && at(999_999_999_999, 'z') <= open.to).toBe(true);
  });

  it('keyId tells keys apart even when the parts could be concatenated alike', () => {
    expect(keyId({ PK: 'A#B', SK: 'C' })).not.toBe(keyId({ PK: 'A', SK: 'B#C' }));
  });
});

describe('model key parsers', () => {
  it('reads the product id back from a product partition, and only from one', () => {
    expect(productIdOfPartition(productKey('p1').PK)).toBe('p1');
    expect(productIdOfPartition(customerKey('p1').PK)).toBeNull();
    expect(isProductItemKey(productKey('p1'))).toBe(true);
    expect(isProductItemKey(inventoryKey('p1'))).toBe(false);
    expect(isProductItemKey(reviewKey('p1', 'r1'))).toBe(false);
  });

  it('a key query names the index attributes of the index it reads', () => {
    const query = categoryProductsQuery('tea', 100, 200);
    expect(query.input).toMatchObject({
      IndexName: 'GSI1',
      ExpressionAttributeNames: { '#pk': 'GSI1PK', '#sk': 'GSI1SK' },
      ExpressionAttributeValues: { ':pk': 'CATEGORY#tea' },
    });
    expect(query.keyAttributes).toEqual(['PK', 'SK', 'GSI1PK', 'GSI1SK']);
  });
});
