import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/domain.js';
import { customerPartition } from '../../src/models/customer.js';
import { productItem } from '../../src/models/product.js';
import { TABLE_SCHEMA } from '../../src/models/table-schema.js';
import {
  assertItemFits,
  attributeSizes,
  DYNAMODB_MAX_ITEM_BYTES,
  itemSize,
  keyFits,
  numberSize,
  valueSize,
} from '../../src/store/item-size.js';

describe('item size, as DynamoDB counts it', () => {
  it('strings: UTF-8 bytes of name and value', () => {
    expect(itemSize({ PK: customerPartition('1') })).toBe(2 + 10);
    // é is 2 bytes, 😀 is 4, and the name counts in bytes too.
    expect(itemSize({ né: 'é😀' })).toBe(3 + 6);
    expect(itemSize({ empty: '' })).toBe(5);
  });

  it('numbers: pairs of significant digits aligned on the point, plus 1; negative 1 more', () => {
    // Measured against DynamoDB Local (see test/integration/item-size.test.ts).
    expect(
      [0, 7, 12, 123, 100_000, 4_999, 12_345, 0.5, 0.05, 1.5, 12.34, 123.456, -1, -1.5].map(
        numberSize,
      ),
    ).toEqual([1, 2, 2, 3, 2, 3, 4, 2, 2, 3, 3, 5, 3, 4]); // 123.456 is 01|23|45|60
    expect(numberSize(Number.MAX_SAFE_INTEGER)).toBe(9); // 16 digits: 8 pairs + 1
    expect(numberSize(1.5e-7)).toBe(2);
    expect(numberSize(10n ** 30n)).toBe(2);
    expect(valueSize(new NumberValue('12345678901234567890123456789012345678'))).toBe(20);
  });

  it('booleans and null: 1 byte; undefined: not written', () => {
    expect(itemSize({ a: true, b: false, c: null, d: undefined })).toBe(3 * (1 + 1));
  });

  it('lists and maps: 3 bytes, 1 more per element, map keys count', () => {
    expect(valueSize([])).toBe(3);
    expect(valueSize({})).toBe(3);
    expect(valueSize(['ab', 7])).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueSize({ q: 3, name: 'x' })).toBe(3 + (1 + 1 + 2) + (1 + 4 + 1));
    expect(valueSize([{ a: [] }])).toBe(3 + 1 + (3 + 1 + 1 + 3));
  });

  it('sets and binary: the sum of their elements, raw bytes', () => {
    expect(valueSize(new Set(['ab', 'c']))).toBe(3);
    expect(valueSize(new Uint8Array(10))).toBe(10);
  });

  it('a stored product: every attribute, index keys included', () => {
    const item = productItem({
      id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      name: 'Chef knife',
      description: 'Sharp',
      priceCents: 4_999,
      currency: 'USD',
      categorySlug: 'kitchen',
      featured: false,
      version: 1,
      ratingCount: 0,
      ratingSum: 0,
      createdAt: '2026-01-31T12:00:00.000Z',
      updatedAt: '2026-01-31T12:00:00.000Z',
    });
    const expected = Object.entries(item).reduce((sum, [name, value]) => {
      const bytes = typeof value === 'string' ? Buffer.byteLength(value) : 0;
      const numeric: Record<string, number> = {
        priceCents: 3,
        version: 2,
        ratingCount: 1,
        ratingSum: 1,
      };
      return sum + name.length + (typeof value === 'boolean' ? 1 : (numeric[name] ?? bytes));
    }, 0);
    expect(itemSize(item)).toBe(expected);
    expect(attributeSizes(item)[0]?.[0]).toBe(TABLE_SCHEMA.indexes.GSI1.sortKey);
  });
});

describe('assertItemFits', () => {
  const item = { PK: 'P#1', SK: 'PRODUCT', name: 'Knife', description: 'd'.repeat(1_000) };
  const size = itemSize(item);

  it('lets an item of exactly maxBytes through', () => {
    expect(() => assertItemFits(item, { maxBytes: size })).not.toThrow();
    expect(() => assertItemFits(item)).not.toThrow();
    expect(DYNAMODB_MAX_ITEM_BYTES).toBe(409_600);
  });

  it('refuses one byte more, naming the largest attribute as its input field', () => {
    let error: unknown;
    try {
      assertItemFits(item, {
        maxBytes: size - 1,
        fields: { description: 'input.description', name: 'input.name' },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'input.description' });
    expect((error as ValidationError).message).toBe(
      `input.description: too large to store: the item would be ${size} bytes, over the ${size - 1}-byte limit of a DynamoDB item, and this field takes 1011 of them`,
    );
  });

  it('names the attribute itself when no input field is known for it', () => {
    const big = { PK: 'P#1', SK: 'x'.repeat(500_000) };
    expect(() => assertItemFits(big)).toThrow(expect.objectContaining({ field: 'SK' }));
  });
});

describe('keyFits', () => {
  it('partition keys up to 2048 bytes, sort keys up to 1024, counted in UTF-8', () => {
    expect(keyFits({ PK: 'p'.repeat(2_048), SK: 's'.repeat(1_024) })).toBe(true);
    expect(keyFits({ PK: 'p'.repeat(2_049), SK: 'S' })).toBe(false);
    expect(keyFits({ PK: 'P', SK: 'é'.repeat(513) })).toBe(false);
  });
});
