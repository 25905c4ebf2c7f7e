/**
 * The input rules of the API, defined once. The schema attaches them to arguments and input
 * fields (Pothos validation plugin), so a failure is a ValidationError naming the field before
 * any resolver, authorization or DynamoDB call runs. Repositories trust what passed; they keep
 * only the rules that need the database (a cart's running total, a cart's line count).
 */
import { z } from 'zod';
import { ORDER_LIMITS } from './orders.js';
import { validationErrorFromIssues } from './validation-issues.js';

interface Range {
  readonly min: number;
  readonly max: number;
}

/** Text lengths are in characters (code points); numbers are inclusive ranges. */
export const LIMITS = {
  customerName: { min: 1, max: 100 },
  /** RFC 5321's limit on a forward path. */
  email: { max: 254 },
  slug: { min: 2, max: 64 },
  categoryName: { min: 1, max: 100 },
  categoryDescription: { min: 0, max: 2_000 },
  productName: { min: 1, max: 200 },
  productDescription: { min: 0, max: 5_000 },
  priceCents: { min: 0, max: 100_000_000 },
  stock: { min: 0, max: 1_000_000 },
  restockQuantity: { min: 1, max: 1_000_000 },
  /** Of one product in a cart, per add and in all. */
  cartQuantity: { min: 1, max: 99 },
  /** An order takes at most this many lines, so a cart holds at most this many products. */
  cartLines: ORDER_LIMITS.maxLines,
  rating: { min: 1, max: 5 },
  reviewBody: { min: 1, max: 2_000 },
  orderLines: { min: 1, max: ORDER_LIMITS.maxLines },
  orderQuantity: { min: ORDER_LIMITS.minQuantity, max: ORDER_LIMITS.maxQuantity },
  /**
   * An id, as sent (a product's global id, taken as a string) or as decoded. The longest of ours
   * is an order's `<customer id>:<order id>`, 155 characters (a token subject has at most 128);
   * 200 keeps any id's key inside DynamoDB's limits (1024 bytes for a sort key).
   */
  id: { max: 200 },
  /** `products(ids:)`: one BatchGetItem. */
  productIds: { max: 100 },
} as const satisfies Record<string, Range | number | { max: number }>;

/** Lowercase words joined by single hyphens: safe in keys and URLs, one spelling per category. */
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** Characters as people count them: an emoji is one, not two UTF-16 units. */
export function characterCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Text of `min` to `max` characters; `trim` drops the blanks around it first (and keeps that). */
export function text(range: Range, options: { trim?: boolean } = {}) {
  const base = options.trim ? z.string().trim() : z.string();
  const atLeast =
    range.min === 1 ? 'must not be empty' : `must have at least ${range.min} characters`;
  return base
    .refine((value) => characterCount(value) >= range.min, { message: atLeast, abort: true })
    .refine((value) => characterCount(value) <= range.max, {
      message: `must have at most ${range.max} characters`,
    });
}

/** An integer in `range`; GraphQL's Int already guarantees a 32-bit integer. */
export function int(
  range: Range,
  message = `must be an integer between ${range.min} and ${range.max}`,
) {
  return z.number().int(message).min(range.min, message).max(range.max, message);
}

// ------------------------------------------------------------------------------ customers

export const customerName = text(LIMITS.customerName, { trim: true });

/** Trimmed, kept as typed (EmailTakenError echoes it); uniqueness is case-insensitive. */
export const email = z
  .string()
  .trim()
  .pipe(
    z
      .email('is not an email address')
      .max(LIMITS.email.max, `must be at most ${LIMITS.email.max} characters`),
  );

// ------------------------------------------------------------------------------ catalog

export const slug = z
  .string()
  .min(LIMITS.slug.min, `must have ${LIMITS.slug.min} to ${LIMITS.slug.max} characters`)
  .max(LIMITS.slug.max, `must have ${LIMITS.slug.min} to ${LIMITS.slug.max} characters`)
  .regex(
    SLUG_PATTERN,
    'must be lowercase letters and digits in words joined by single hyphens, e.g. garden-tools',
  );

export const categoryName = text(LIMITS.categoryName, { trim: true });
export const categoryDescription = text(LIMITS.categoryDescription);
export const productName = text(LIMITS.productName, { trim: true });
export const productDescription = text(LIMITS.productDescription);
export const priceCents = int(LIMITS.priceCents);
export const currency = z
  .string()
  .regex(CURRENCY_PATTERN, 'must be an ISO-4217 code such as USD or EUR');
export const stock = int(LIMITS.stock);
export const restockQuantity = int(
  LIMITS.restockQuantity,
  `must be between ${LIMITS.restockQuantity.min} and ${LIMITS.restockQuantity.max}`,
);
export const expectedVersion = z.number().int().min(1, 'must be 1 or more (a product starts at 1)');

/** updateProduct: absent or null fields keep their value, so at least one must be given. */
export const productChanges = crossField<{
  name?: unknown;
  description?: unknown;
  priceCents?: unknown;
  categorySlug?: unknown;
  featured?: unknown;
}>((input, addIssue) => {
  const given = [
    input.name,
    input.description,
    input.priceCents,
    input.categorySlug,
    input.featured,
  ];
  if (given.every((value) => value == null)) addIssue('give at least one field to change');
});

// ------------------------------------------------------------------------------ ids

const ID_TOO_LONG = `must be at most ${LIMITS.id.max} characters`;

/** A global id taken as a string (an `ID` the resolver decodes itself). */
export const globalId = z.string().max(LIMITS.id.max, ID_TOO_LONG);

/** A global id argument or input field, which the relay plugin has decoded to `{ typename, id }`. */
export const nodeId = crossField<unknown>((value, addIssue) => {
  if (rawId(value).length > LIMITS.id.max) addIssue(ID_TOO_LONG);
});

export const productIds = z
  .array(nodeId)
  .max(LIMITS.productIds.max, `at most ${LIMITS.productIds.max} ids per request`);

/** A global id input field arrives decoded (`{ typename, id }`) by the relay plugin. */
function rawId(value: unknown): string {
  return typeof value === 'object' && value !== null && 'id' in value
    ? String(value.id)
    : String(value);
}

// ------------------------------------------------------------------------------ cart, reviews

export const cartQuantity = int(
  LIMITS.cartQuantity,
  `must be between ${LIMITS.cartQuantity.min} and ${LIMITS.cartQuantity.max}`,
);
export const rating = int(LIMITS.rating, 'must be an integer from 1 to 5');
export const reviewBody = text(LIMITS.reviewBody, { trim: true });

// ------------------------------------------------------------------------------ orders

export const idempotencyKey = z
  .string()
  .regex(
    ORDER_LIMITS.idempotencyKey,
    '1 to 100 characters of A-Z, a-z, 0-9 and _ . : - (a UUID or ULID is a good key)',
  );

export const orderQuantity = int(
  LIMITS.orderQuantity,
  `must be between ${LIMITS.orderQuantity.min} and ${LIMITS.orderQuantity.max}`,
);

/** The number of lines of an order; each line's own fields have their own rules. */
export function orderLinesOf<T extends z.ZodType>(line: T) {
  return z
    .array(line)
    .min(LIMITS.orderLines.min, 'an order needs at least one line')
    .max(LIMITS.orderLines.max, `at most ${LIMITS.orderLines.max} distinct products per order`);
}

export const orderLines = orderLinesOf(z.unknown());

/** Lines read from a cart (fromCart): they pass the same rules as lines sent in the request. */
export const cartOrderLines = orderLinesOf(
  z.object({ productId: z.string(), quantity: orderQuantity }),
);

/** placeOrder: `lines` or `fromCart: true`, not both or neither; a product once per order. */
export const orderRequest = crossField<{
  lines?: ReadonlyArray<{ productId: unknown }> | null;
  fromCart?: boolean | null;
}>((input, addIssue) => {
  if ((input.lines != null) === (input.fromCart === true)) {
    addIssue('give either `lines` or `fromCart: true`, not both or neither');
    return;
  }
  const seen = new Set<string>();
  input.lines?.forEach((line, i) => {
    const id = rawId(line.productId);
    if (seen.has(id)) addIssue('each product may appear once', ['lines', i, 'productId']);
    seen.add(id);
  });
});

// ------------------------------------------------------------------------------ helpers

/**
 * A rule over a whole input object (an input type's `validate`). It passes the value on as it
 * is: a zod object schema would strip fields it does not list and re-parse decoded ids.
 */
export function crossField<T>(
  check: (input: T, addIssue: (message: string, path?: PropertyKey[]) => void) => void,
) {
  return z.custom<T>().superRefine((input, ctx) => {
    check(input, (message, path = []) => ctx.addIssue({ code: 'custom', message, path }));
  });
}

/**
 * Applies a rule outside the schema (to data read from the table): the parsed value, or a
 * ValidationError naming `field` and the path below it.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  field: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationErrorFromIssues(result.error.issues, field);
  return result.data;
}
