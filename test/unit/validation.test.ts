import { encodeGlobalID } from '@pothos/plugin-relay';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/app/context.js';
import {
  cartOrderLines,
  characterCount,
  currency,
  customerName,
  email,
  LIMITS,
  orderRequest,
  parseInput,
  priceCents,
  productChanges,
  reviewBody,
  slug,
} from '../../src/domain/validation.js';
import { validationErrorFromIssues } from '../../src/domain/validation-issues.js';
import { ValidationError } from '../../src/errors/domain.js';
import { schema } from '../../src/schema/index.js';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('the rules', () => {
  it('counts characters as code points and trims names', () => {
    expect(characterCount('😀'.repeat(100))).toBe(100);
    expect(customerName.parse(`  ${'😀'.repeat(100)} `)).toBe('😀'.repeat(100));
    expect(ok(customerName, '😀'.repeat(101))).toBe(false);
    expect(customerName.safeParse('   ').error?.issues[0]?.message).toBe('must not be empty');
  });

  it('review bodies are 1 to 2000 characters after trimming', () => {
    expect(reviewBody.parse(` ${'y'.repeat(2_000)}\n`)).toHaveLength(2_000);
    expect(ok(reviewBody, 'y'.repeat(2_001))).toBe(false);
    expect(ok(reviewBody, ' \t ')).toBe(false);
  });

  it('emails: trimmed, kept as typed, with a dotted domain, at most 254 characters', () => {
    expect(email.parse(' Carol@Example.com ')).toBe('Carol@Example.com');
    const longest = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`;
    expect(longest).toHaveLength(254);
    expect(ok(email, longest)).toBe(true);
    expect(email.safeParse(`a${longest}`).error?.issues[0]?.message).toBe(
      'must be at most 254 characters',
    );
    for (const bad of ['not-an-email', 'two@@example.com', 'v@localhost', 'with space@x.com']) {
      expect(email.safeParse(bad).error?.issues[0]?.message, bad).toBe('is not an email address');
    }
  });

  it('slugs: lowercase words joined by single hyphens, 2 to 64 characters', () => {
    for (const good of ['ab', 'garden-tools', 'a1-b2-c3', 'a'.repeat(64)]) {
      expect(ok(slug, good), good).toBe(true);
    }
    for (const bad of ['a', 'a'.repeat(65), 'Garden', 'a--b', '-ab', 'ab-', 'with space', 'é-a']) {
      expect(ok(slug, bad), bad).toBe(false);
    }
  });

  it('currencies are three capitals; prices are 0 to 100000000 cents', () => {
    expect(['USD', 'EUR'].map((c) => ok(currency, c))).toEqual([true, true]);
    expect(['usd', 'US', 'USDX'].map((c) => ok(currency, c))).toEqual([false, false, false]);
    expect([0, LIMITS.priceCents.max].map((p) => ok(priceCents, p))).toEqual([true, true]);
    expect([-1, LIMITS.priceCents.max + 1, 1.5].map((p) => ok(priceCents, p))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('an order gives lines or fromCart, and each product once (ids as the relay plugin decodes them)', () => {
    const line = (id: string) => ({ productId: { typename: 'Product', id }, quantity: 1 });
    const field = (value: unknown) =>
      orderRequest.safeParse(value).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(field({ lines: [line('a'), line('b')] })).toBeUndefined();
    expect(field({ fromCart: true })).toBeUndefined();
    expect(field({})).toEqual([
      ['', 'give either `lines` or `fromCart: true`, not both or neither'],
    ]);
    expect(field({ lines: [line('a')], fromCart: true })?.[0]?.[0]).toBe('');
    expect(field({ lines: [line('a'), line('b'), line('a')] })).toEqual([
      ['lines.2.productId', 'each product may appear once'],
    ]);
  });

  it('passes a valid input object on unchanged (no field stripped)', () => {
    const input = { id: { typename: 'Product', id: 'p' }, expectedVersion: 3, name: 'x' };
    expect(productChanges.parse(input)).toEqual(input);
    expect(productChanges.safeParse({ id: input.id, name: null }).success).toBe(false);
  });
});

describe('ValidationError fields', () => {
  it('are dotted paths of names and list indices', () => {
    const error = validationErrorFromIssues([
      { message: 'must be between 1 and 99', path: ['input', 'lines', 2, { key: 'quantity' }] },
      { message: 'second issue', path: ['input'] },
    ]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('input.lines.2.quantity');
    expect(error.message).toBe('input.lines.2.quantity: must be between 1 and 99');
    expect(validationErrorFromIssues([{ message: 'x', path: [] }]).field).toBe('input');
  });

  it('parseInput names the value it checks, and the path below it', () => {
    const lines = (n: number, quantity = 1) =>
      Array.from({ length: n }, (_, i) => ({ productId: `p${i}`, quantity }));
    expect(parseInput(cartOrderLines, lines(25), 'input.fromCart')).toHaveLength(25);
    expect(() => parseInput(cartOrderLines, lines(26), 'input.fromCart')).toThrow(
      expect.objectContaining({
        field: 'input.fromCart',
        message: 'input.fromCart: at most 25 distinct products per order',
      }),
    );
    const tooMany = [...lines(3), { productId: 'q', quantity: 100 }];
    expect(() => parseInput(cartOrderLines, tooMany, 'input.fromCart')).toThrow(
      expect.objectContaining({ field: 'input.fromCart.3.quantity' }),
    );
  });
});

// ------------------------------------------------------------------------------ through the schema

/** No DynamoDB here: a context whose data access throws, so reaching a resolver fails the test. */
function offlineContext(viewer: Context['viewer']): Context {
  const untouchable = new Proxy(
    {},
    {
      get: (_target, property) => {
        throw new Error(`the request reached the data layer (${String(property)})`);
      },
    },
  );
  return { requestId: 'r1', viewer, db: untouchable, repos: untouchable } as unknown as Context;
}

const customer = { id: 'c1', roles: [], isAdmin: false };
const admin = { id: 'a1', roles: ['admin'], isAdmin: true };
const product = (id: string) => encodeGlobalID('Product', id);

async function run(source: string, variables: Record<string, unknown>, viewer: Context['viewer']) {
  return graphql({
    schema,
    source,
    variableValues: variables,
    contextValue: offlineContext(viewer),
  });
}

const PLACE_ORDER = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { __typename ... on ValidationError { field message } }
}`;

describe('the schema applies the rules before resolvers and authorization', () => {
  it.each([
    [
      {
        idempotencyKey: 'k',
        lines: [
          { productId: product('a'), quantity: 1 },
          { productId: product('b'), quantity: 100 },
        ],
      },
      'input.lines.1.quantity',
    ],
    [
      {
        idempotencyKey: 'k',
        lines: [
          { productId: product('a'), quantity: 1 },
          { productId: product('a'), quantity: 2 },
        ],
      },
      'input.lines.1.productId',
    ],
    [{ idempotencyKey: 'k', lines: [] }, 'input.lines'],
    [{ idempotencyKey: 'k' }, 'input'],
    [{ idempotencyKey: 'no spaces', fromCart: true }, 'input.idempotencyKey'],
    [
      {
        idempotencyKey: 'k',
        lines: [{ productId: encodeGlobalID('Product', 'x'.repeat(201)), quantity: 1 }],
      },
      'input.lines.0.productId',
    ],
  ])(
    'placeOrder %j: ValidationError on %s, for a customer and for anonymous',
    async (input, field) => {
      for (const viewer of [customer, null]) {
        const result = await run(PLACE_ORDER, { input }, viewer);
        expect(result.errors).toBeUndefined();
        expect(result.data?.placeOrder).toEqual({
          __typename: 'ValidationError',
          field,
          message: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: .+`)),
        });
      }
    },
  );

  it('arguments are named by themselves (restock quantity, addToCart quantity)', async () => {
    const restock = await run(
      `mutation { restock(productId: "${product('p')}", quantity: 0) { __typename ... on ValidationError { field } } }`,
      {},
      admin,
    );
    expect(restock.data?.restock).toEqual({ __typename: 'ValidationError', field: 'quantity' });
    const add = await run(
      `mutation { addToCart(productId: "${product('p')}", quantity: 100) { __typename ... on ValidationError { field } } }`,
      {},
      null,
    );
    expect(add.data?.addToCart).toEqual({ __typename: 'ValidationError', field: 'quantity' });
  });

  it('every mutation with arguments lists ValidationError in its result', () => {
    const mutation = schema.getMutationType();
    const fields = Object.values(mutation?.getFields() ?? {}).filter((f) => f.args.length > 0);
    expect(fields.length).toBeGreaterThan(5);
    for (const field of fields) {
      const union = schema.getType(String(field.type).replace(/!$/, ''));
      const members =
        union && 'getTypes' in union ? union.getTypes().map((t: { name: string }) => t.name) : [];
      expect(members, field.name).toContain('ValidationError');
    }
  });

  it('a query argument that breaks a rule is an error naming it, with no data access', async () => {
    const result = await run('{ category(slug: "Not A Slug") { name } }', {}, null);
    expect(result.data?.category ?? null).toBeNull();
    const original = result.errors?.[0]?.originalError;
    expect(original).toBeInstanceOf(ValidationError);
    expect((original as ValidationError).field).toBe('slug');
    const ids = Array.from({ length: 101 }, (_, i) => product(`p${i}`));
    const many = await run('query($ids: [ID!]!) { products(ids: $ids) { id } }', { ids }, null);
    expect(many.errors?.[0]?.message).toBe('ids: at most 100 ids per request');
  });
});
