/**
 * An item's size as DynamoDB counts it against its 400 KB item limit (developer guide, "DynamoDB
 * item sizes and formats"), computed on the plain JavaScript item that the DocumentClient
 * marshals. Pure: checked before a write, so an item that DynamoDB would refuse is a
 * ValidationError naming the field instead of a masked ValidationException after the call.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors/domain.js';

/** 400 KB: attribute names and values together. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (value: string): number => Buffer.byteLength(value, 'utf8');

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * A number's size. The guide says "1 byte per two significant digits, plus 1"; measured on
 * DynamoDB Local, the digits go in pairs aligned on the decimal point (1.5 is `01|50`: 3 bytes,
 * 12.34 is `12|34`: 3 bytes), pairs of zeroes at either end do not count, a negative number
 * takes 1 byte more and zero takes 1.
 */
export function numberSize(value: number | bigint | string): number {
  const match = NUMBER.exec(String(value).trim());
  if (!match) throw new TypeError(`not a number: ${String(value)}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant.length === 0) return 1;
  // The power of ten of the first and of the last significant digit, and their base-100 pairs.
  const first = whole.length + Number(exponent) - leading - 1;
  const last = first - significant.length + 1;
  const pairs = Math.floor(first / 2) - Math.floor(last / 2) + 1;
  return pairs + 1 + (sign === '-' ? 1 : 0);
}

/** The size of one value (without its attribute name), or undefined when it is not written. */
export function valueSize(value: unknown): number | undefined {
  if (value === undefined) return undefined; // removeUndefinedValues: never written
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof NumberValue) return numberSize(value.value);
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return value.byteLength;
  if (value instanceof Set) {
    // String, number and binary sets: the sum of their elements, no overhead.
    let size = 0;
    for (const element of value) size += valueSize(element) ?? 0;
    return size;
  }
  if (Array.isArray(value)) {
    // 3 bytes for the list, 1 more per element.
    let size = 3;
    for (const element of value) {
      const elementSize = valueSize(element);
      if (elementSize !== undefined) size += 1 + elementSize;
    }
    return size;
  }
  if (typeof value === 'object') {
    // A map: 3 bytes, and per entry 1 byte, its name and its value.
    let size = 3;
    for (const [name, element] of Object.entries(value)) {
      const elementSize = valueSize(element);
      if (elementSize !== undefined) size += 1 + utf8(name) + elementSize;
    }
    return size;
  }
  throw new TypeError(`cannot size a ${typeof value} attribute`);
}

/** Each written top-level attribute with its size (name bytes + value bytes), largest first. */
export function attributeSizes(item: Record<string, unknown>): Array<[string, number]> {
  const sizes: Array<[string, number]> = [];
  for (const [name, value] of Object.entries(item)) {
    const size = valueSize(value);
    if (size !== undefined) sizes.push([name, utf8(name) + size]);
  }
  return sizes.sort((a, b) => b[1] - a[1]);
}

export function itemSize(item: Record<string, unknown>): number {
  return attributeSizes(item).reduce((sum, [, size]) => sum + size, 0);
}

/** DynamoDB refuses longer key values; no item can have one. */
export const DYNAMODB_MAX_PARTITION_KEY_BYTES = 2048;
export const DYNAMODB_MAX_SORT_KEY_BYTES = 1024;

/**
 * Whether DynamoDB accepts this key. A key it refuses fails the whole BatchGetItem it is in,
 * other fields' keys included, so a read drops it first: it names no item.
 */
export function keyFits(key: { PK: string; SK: string }): boolean {
  return (
    fitsUtf8(key.PK, DYNAMODB_MAX_PARTITION_KEY_BYTES) &&
    fitsUtf8(key.SK, DYNAMODB_MAX_SORT_KEY_BYTES)
  );
}

/** A UTF-16 code unit is at most 3 bytes of UTF-8: a short string fits without being measured. */
const fitsUtf8 = (value: string, maxBytes: number): boolean =>
  value.length * 3 <= maxBytes || utf8(value) <= maxBytes;

export interface ItemFitOptions {
  maxBytes?: number;
  /** Attribute name → the input field it comes from, so the error names what the client sent. */
  fields?: Readonly<Record<string, string>>;
}

/**
 * Throws a ValidationError when the item is over `maxBytes`, naming its largest attribute
 * (as its input field when `fields` knows it): that is the one to shorten.
 */
export function assertItemFits(item: Record<string, unknown>, options: ItemFitOptions = {}): void {
  const maxBytes = options.maxBytes ?? DYNAMODB_MAX_ITEM_BYTES;
  const sizes = attributeSizes(item);
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  if (total <= maxBytes) return;
  const [name = 'item', size = total] = sizes[0] ?? [];
  throw new ValidationError(
    options.fields?.[name] ?? name,
    `too large to store: the item would be ${total} bytes, over the ${maxBytes}-byte limit of a DynamoDB item, and this field takes ${size} of them`,
  );
}
