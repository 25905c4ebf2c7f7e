import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CursorError } from '../../src/errors/client.js';
import { productByCategoryKey, productKey } from '../../src/models/product.js';
import { startKeyAttributes } from '../../src/models/table-schema.js';
import { CursorCodec, cursorBinding } from '../../src/store/cursor.js';
import { pickKey, startKeySchema } from '../../src/store/paginate.js';

const codec = new CursorCodec('unit-test-cursor-secret-0123456789');
const binding = cursorBinding('Category.products:tea', { sort: 'PRICE_ASC', minPriceCents: 100 });
const key = { ...productKey('1'), ...productByCategoryKey('tea', 100, '1') };

describe('signed cursors', () => {
  it('round-trips a start key under the same binding', () => {
    const cursor = codec.encode(binding, key);
    expect(codec.decode(binding, cursor, startKeySchema)).toEqual(key);
  });

  it('is bound to field, arguments and viewer, not to page size or argument order', () => {
    const cursor = codec.encode(binding, key);
    const same = cursorBinding('Category.products:tea', {
      minPriceCents: 100,
      sort: 'PRICE_ASC',
      first: 5,
    });
    expect(codec.decode(same, cursor, startKeySchema)).toEqual(key);
    const others = [
      cursorBinding('Category.products:coffee', { sort: 'PRICE_ASC', minPriceCents: 100 }),
      cursorBinding('Category.products:tea', { sort: 'PRICE_DESC', minPriceCents: 100 }),
      cursorBinding('Category.products:tea', { sort: 'PRICE_ASC' }),
      cursorBinding(
        'Category.products:tea',
        { sort: 'PRICE_ASC', minPriceCents: 100 },
        'customer-1',
      ),
    ];
    for (const other of others) {
      expect(() => codec.decode(other, cursor, startKeySchema)).toThrow(CursorError);
    }
  });

  it('refuses altered, truncated, foreign-key and junk cursors', () => {
    const cursor = codec.encode(binding, key);
    const [v, body, mac] = cursor.split('.') as [string, string, string];
    const altered = Buffer.from(JSON.stringify({ ...key, PK: productKey('2').PK })).toString(
      'base64url',
    );
    const foreign = new CursorCodec('another-secret-0123456789-0123456789').encode(binding, key);
    for (const bad of [
      `${v}.${altered}.${mac}`,
      cursor.slice(0, -2),
      `v2.${body}.${mac}`,
      foreign,
      '',
      'a.b',
      'x'.repeat(10_000),
      `${v}.${body}.${mac}.extra`,
    ]) {
      expect(() => codec.decode(binding, bad, startKeySchema), bad.slice(0, 40)).toThrow(
        CursorError,
      );
    }
  });

  it('a correctly signed payload of the wrong shape is still refused', () => {
    const cursor = codec.encode(binding, { PK: 1, evil: { $ne: null } });
    expect(() => codec.decode(binding, cursor, startKeySchema)).toThrow(CursorError);
    const strict = z.object({ n: z.number() });
    expect(() => codec.decode(binding, codec.encode(binding, { n: 'x' }), strict)).toThrow(
      CursorError,
    );
  });

  it('pickKey takes exactly the index key attributes of an item', () => {
    expect(pickKey({ ...key, name: 'Tea', priceCents: 100 }, startKeyAttributes('GSI1'))).toEqual(
      key,
    );
  });
});

describe('remembered MACs', () => {
  const secret = 'unit-test-cursor-secret-0123456789';
  const keyOf = (id: string) => ({ ...productKey(id), ...productByCategoryKey('tea', 100, id) });

  it('issue exactly the cursors a codec without memory issues, and remember each message once', () => {
    const remembering = new CursorCodec(secret);
    const forgetting = new CursorCodec(secret, { rememberMacs: 0 });
    for (const id of ['1', '2', '1', '2', '3']) {
      expect(remembering.encode(binding, keyOf(id))).toBe(forgetting.encode(binding, keyOf(id)));
    }
    expect(remembering.rememberedMacs()).toBe(3);
    expect(forgetting.rememberedMacs()).toBe(0);
  });

  it('do not let a remembered cursor through under another binding', () => {
    const remembering = new CursorCodec(secret);
    const cursor = remembering.encode(binding, keyOf('1'));
    expect(remembering.decode(binding, cursor, startKeySchema)).toEqual(keyOf('1'));
    const other = cursorBinding('Category.products:coffee', { sort: 'PRICE_ASC' });
    expect(() => remembering.decode(other, cursor, startKeySchema)).toThrow(CursorError);
  });

  it('keep only cursors that verified: made-up ones are refused and not remembered', () => {
    const issuer = new CursorCodec(secret);
    const cursor = issuer.encode(binding, keyOf('9'));
    const reader = new CursorCodec(secret);
    const [version, body, mac] = cursor.split('.') as [string, string, string];
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(() => reader.decode(binding, `${version}.${body}.${flipped}`, startKeySchema)).toThrow(
      CursorError,
    );
    expect(reader.rememberedMacs()).toBe(0);
    expect(reader.decode(binding, cursor, startKeySchema)).toEqual(keyOf('9'));
    expect(reader.rememberedMacs()).toBe(1);
    // Remembered now: the same wrong MAC is still refused.
    expect(() => reader.decode(binding, `${version}.${body}.${flipped}`, startKeySchema)).toThrow(
      CursorError,
    );
  });

  it('stay within their bound, oldest out first, and a forgotten cursor still verifies', () => {
    const small = new CursorCodec(secret, { rememberMacs: 3 });
    const cursors = ['1', '2', '3', '4', '5'].map((id) => small.encode(binding, keyOf(id)));
    expect(small.rememberedMacs()).toBe(3);
    expect(small.decode(binding, cursors[0] as string, startKeySchema)).toEqual(keyOf('1'));
    expect(small.rememberedMacs()).toBe(3);
  });
});
