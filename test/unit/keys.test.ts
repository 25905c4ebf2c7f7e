import { describe, expect, it } from 'vitest';
import { keyId, keys, padCents } from '../../src/store/keys.js';

describe('keys (DESIGN.md "The table")', () => {
  it('builds every entity key as documented', () => {
    expect(keys.customer('c1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'PROFILE' });
    expect(keys.emailClaim('Ann@Example.COM')).toEqual({
      PK: 'EMAIL#ann@example.com',
      SK: 'EMAIL',
    });
    expect(keys.category('tea')).toEqual({ PK: 'CATEGORIES', SK: 'CATEGORY#tea' });
    expect(keys.product('p1')).toEqual({ PK: 'PRODUCT#p1', SK: 'PRODUCT' });
    expect(keys.inventory('p1')).toEqual({ PK: 'PRODUCT#p1', SK: 'INVENTORY' });
    expect(keys.review('p1', 'r1')).toEqual({ PK: 'PRODUCT#p1', SK: 'REVIEW#r1' });
    expect(keys.reviewerClaim('p1', 'c1')).toEqual({ PK: 'PRODUCT#p1', SK: 'REVIEWER#c1' });
    expect(keys.cartLine('c1', 'p1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'CART#p1' });
    expect(keys.order('c1', 'o1')).toEqual({ PK: 'CUSTOMER#c1', SK: 'ORDER#o1' });
    expect(keys.idempotency('c1', 'k')).toEqual({ PK: 'CUSTOMER#c1', SK: 'IDEMPOTENCY#k' });
    expect(keys.productByCategory('tea', 1999, 'p1')).toEqual({
      GSI1PK: 'CATEGORY#tea',
      GSI1SK: 'PRICE#000000001999#p1',
    });
    expect(keys.featuredProduct('2026-01-01T00:00:00.000Z', 'p1')).toEqual({
      GSI2PK: 'FEATURED',
      GSI2SK: '2026-01-01T00:00:00.000Z#p1',
    });
    expect(keys.orderByStatus('PAID', 3, '2026-01-01T00:00:00.000Z', 'o1')).toEqual({
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
    const { from, to } = keys.priceRange(100, 200);
    const at = (cents: number, id: string) => keys.productByCategory('c', cents, id).GSI1SK;
    const inside = (sk: string) => sk >= from && sk <= to;
    expect(inside(at(100, '01A'))).toBe(true);
    expect(inside(at(200, 'zzzzzz'))).toBe(true);
    expect(inside(at(99, 'zzzz'))).toBe(false);
    expect(inside(at(201, '0'))).toBe(false);
    const open = keys.priceRange(null, undefined);
    expect(inside.call(null, at(0, 'a'))).toBe(false);
    expect(at(0, 'a') >= open.from && at(999_999_999_999, 'z') <= open.to).toBe(true);
  });

  it('keyId tells keys apart even when the parts could be concatenated alike', () => {
    expect(keyId({ PK: 'A#B', SK: 'C' })).not.toBe(keyId({ PK: 'A', SK: 'B#C' }));
  });
});
