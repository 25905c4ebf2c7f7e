/**
 * A flash-sale crowd at checkout: many `placeOrder` requests sent at once, then an audit of the
 * table against what each customer was told. Used by test/integration/crowd.test.ts and by the
 * benchmark's crowd row (scripts/bench.ts).
 *
 * Every answer must be one of: PlaceOrderSuccess, OutOfStockError, or a 503 SERVICE_UNAVAILABLE
 * with Retry-After shed before anything was written. The audit reads every idempotency record
 * and order of the crowd's customers strongly consistent, straight from the table, and checks
 * that the orders answered as placed are exactly the orders that exist, and that the stock
 * taken is exactly what those orders hold. Over 300 lines: the crowd and its audit are one
 * experiment. Development only.
 */
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { monotonicFactory } from 'ulid';
import { signDevToken } from '../../auth/tokens.js';
import { SHED_MESSAGE } from '../../errors/to-graphql.js';
import { customerItem } from '../../models/customer.js';
import { idempotencyRecordsQuery } from '../../models/idempotency.js';
import { inventoryItem, inventoryKey } from '../../models/inventory.js';
import { customerOrdersQuery } from '../../models/order.js';
import { productItem } from '../../models/product.js';
import type { KeyQuery } from '../../models/table-schema.js';
import { mulberry32 } from '../sample/random.js';
import { gql } from './soak.js';

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) {
  __typename ... on PlaceOrderSuccess { order { id } }
  ... on OutOfStockError { productId requested available }
  ... on OrderOutcomeUnknownError { idempotencyKey } ... on Error { message } } }`;

/**
 * `shed`: 503 with Retry-After and the gateway's "nothing was changed" message, from admission
 * control; `unavailable`: 503 because the database failed or did not answer in time.
 */
export type AnswerKind = 'placed' | 'out-of-stock' | 'shed' | 'unavailable' | 'unknown' | 'other';

export interface CrowdOrder {
  customerId: string;
  token: string;
  idempotencyKey: string;
  /** Raw product ids and quantities. */
  lines: Array<{ productId: string; quantity: number }>;
}

export interface CrowdAnswer {
  order: CrowdOrder;
  kind: AnswerKind;
  status: number;
  ms: number;
  /** When the answer came, in performance.now() time. */
  at: number;
  orderId?: string;
  retryAfter?: string | null;
  /** For `other`: what came back. */
  detail?: string;
}

export interface CrowdShop {
  customers: Array<{ id: string; token: string }>;
  productIds: string[];
  initialStock: Map<string, number>;
}

/**
 * Customers (with profiles) and products with a given stock, written straight into the table:
 * the crowd's own, apart from anything else in it.
 */
export async function prepareCrowdShop(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: {
    prefix: string;
    customers: number;
    products: number;
    stock: number;
    jwtSecret: string;
  },
): Promise<CrowdShop> {
  const ulid = monotonicFactory();
  const now = new Date().toISOString();
  const customers: CrowdShop['customers'] = [];
  const items: Array<Record<string, unknown>> = [];
  for (let i = 0; i < options.customers; i++) {
    const id = `${options.prefix}-c${i}`;
    customers.push({ id, token: await signDevToken(options.jwtSecret, { sub: id }) });
    items.push(
      customerItem({
        id,
        name: `Crowd ${i}`,
        email: `${id}@crowd.example`,
        orderCount: 0,
        createdAt: now,
      }),
    );
  }
  const productIds: string[] = [];
  for (let i = 0; i < options.products; i++) {
    const id = ulid();
    productIds.push(id);
    items.push(
      productItem({
        id,
        categorySlug: `${options.prefix}-sale`,
        name: `Sale item ${i}`,
        description: 'On sale',
        priceCents: 1_000 + i,
        currency: 'USD',
        featured: false,
        version: 1,
        ratingCount: 0,
        ratingSum: 0,
        createdAt: now,
        updatedAt: now,
      }),
      inventoryItem({ productId: id, stock: options.stock, updatedAt: now }),
    );
  }
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    let request: Record<string, unknown[]> | undefined = { [tableName]: batch };
    while (request && Object.keys(request).length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = out.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
  return {
    customers,
    productIds,
    initialStock: new Map(productIds.map((id) => [id, options.stock])),
  };
}

/** `count` orders over the shop's customers and products: one or two lines, 1 or 2 units each. */
export function crowdOrders(
  shop: CrowdShop,
  count: number,
  seed: number,
  run: string,
): CrowdOrder[] {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const customer = shop.customers[i % shop.customers.length] as CrowdShop['customers'][number];
    const first = pick(shop.productIds);
    const lines = [{ productId: first, quantity: 1 + Math.floor(random() * 2) }];
    const second = pick(shop.productIds);
    if (second !== first && random() < 0.3) lines.push({ productId: second, quantity: 1 });
    return {
      customerId: customer.id,
      token: customer.token,
      idempotencyKey: `crowd-${run}-${i}`,
      lines,
    };
  });
}

/** One placeOrder over HTTP (soak's `gql`); never throws. */
export async function placeOrder(
  url: string,
  order: CrowdOrder,
  timeoutMs = 60_000,
): Promise<CrowdAnswer> {
  const out = await gql(
    url,
    PLACE_ORDER,
    {
      input: {
        idempotencyKey: order.idempotencyKey,
        lines: order.lines.map((line) => ({
          productId: encodeGlobalID('Product', line.productId),
          quantity: line.quantity,
        })),
      },
    },
    { token: order.token, timeoutMs },
  );
  const answer = (kind: AnswerKind, extra: Partial<CrowdAnswer> = {}): CrowdAnswer => ({
    order,
    kind,
    status: out.status,
    ms: out.ms,
    at: performance.now(),
    ...extra,
  });
  const result = out.data?.placeOrder as
    | { __typename?: string; order?: { id?: string } }
    | undefined;
  if (result?.__typename === 'PlaceOrderSuccess') {
    return answer('placed', result.order?.id ? { orderId: result.order.id } : {});
  }
  if (result?.__typename === 'OutOfStockError') return answer('out-of-stock');
  if (result?.__typename === 'OrderOutcomeUnknownError') return answer('unknown');
  const error = out.errors?.[0];
  if (out.status === 503 && error?.extensions?.code === 'SERVICE_UNAVAILABLE') {
    const shed = error.message === SHED_MESSAGE && out.retryAfter;
    return answer(shed ? 'shed' : 'unavailable', { retryAfter: out.retryAfter ?? null });
  }
  const detail = out.code?.startsWith('NETWORK') ? out.code : JSON.stringify(out);
  return answer('other', { detail: detail.slice(0, 300) });
}

/** Every order sent at once. */
export function runCrowd(url: string, orders: CrowdOrder[], timeoutMs?: number) {
  return Promise.all(orders.map((order) => placeOrder(url, order, timeoutMs)));
}

export interface CrowdAudit {
  answers: Record<AnswerKind, number>;
  /** Orders in the table for the crowd's customers. */
  ordersInTable: number;
  /** Answered PlaceOrderSuccess, but no such order in the table. */
  placedButMissing: string[];
  /** An order exists for the key, but the answer was not PlaceOrderSuccess (nor unknown). */
  falseFailures: string[];
  /** An order exists for the key, and the answer was OrderOutcomeUnknownError. */
  unknownButPlaced: string[];
  /** initial stock = final stock + the units of the orders that exist, per product. */
  stockViolations: string[];
  unitsTaken: number;
}

async function queryAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  query: KeyQuery,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ...query.input,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Reads the table (strongly consistent) and holds it against the answers. */
export async function auditCrowd(
  doc: DynamoDBDocumentClient,
  tableName: string,
  shop: CrowdShop,
  answers: CrowdAnswer[],
): Promise<CrowdAudit> {
  const counts: Record<AnswerKind, number> = {
    placed: 0,
    'out-of-stock': 0,
    shed: 0,
    unavailable: 0,
    unknown: 0,
    other: 0,
  };
  for (const a of answers) counts[a.kind]++;
  const orderIdByKey = new Map<string, string>();
  const unitsByProduct = new Map<string, number>();
  const orderIds = new Set<string>();
  for (const customer of shop.customers) {
    for (const record of await queryAll(doc, tableName, idempotencyRecordsQuery(customer.id))) {
      orderIdByKey.set(String(record.idempotencyKey), String(record.orderId));
    }
    for (const order of await queryAll(doc, tableName, customerOrdersQuery(customer.id))) {
      orderIds.add(String(order.id));
      for (const line of order.lines as Array<{ productId: string; quantity: number }>) {
        unitsByProduct.set(
          line.productId,
          (unitsByProduct.get(line.productId) ?? 0) + line.quantity,
        );
      }
    }
  }
  const placedButMissing: string[] = [];
  const falseFailures: string[] = [];
  const unknownButPlaced: string[] = [];
  for (const a of answers) {
    const key = a.order.idempotencyKey;
    const orderId = orderIdByKey.get(key);
    const exists = orderId !== undefined && orderIds.has(orderId);
    if (a.kind === 'placed' && !exists) placedButMissing.push(key);
    if (exists && a.kind === 'unknown') unknownButPlaced.push(key);
    if (exists && a.kind !== 'placed' && a.kind !== 'unknown')
      falseFailures.push(`${key}: ${a.kind}`);
  }
  const stockViolations: string[] = [];
  let unitsTaken = 0;
  for (const productId of shop.productIds) {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: inventoryKey(productId), ConsistentRead: true }),
    );
    const final = out.Item?.stock as number | undefined;
    const initial = shop.initialStock.get(productId) ?? 0;
    const units = unitsByProduct.get(productId) ?? 0;
    unitsTaken += units;
    if (final === undefined || final < 0 || initial !== final + units) {
      stockViolations.push(`${productId}: initial ${initial}, final ${final}, ordered ${units}`);
    }
  }
  return {
    answers: counts,
    ordersInTable: orderIds.size,
    placedButMissing,
    falseFailures,
    unknownButPlaced,
    stockViolations,
    unitsTaken,
  };
}
