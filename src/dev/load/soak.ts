/**
 * A soak: mixed traffic of documents/' kind (catalog reads, cart, placeOrder, cancelOrder, me) at
 * moderate concurrency against a gateway, then the invariants (stock adds up, no negative stock,
 * each customer's orderCount equals its orders). Records errors by code, p50/p99 latency and the
 * server's RSS over time. scripts/soak.ts runs it from the command line; the integration tests
 * (faults, shutdown, soak, crowd) use its traffic helpers. Over 300 lines: the traffic, the
 * invariants and the report are one run, read together. Development only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signDevToken } from '../../auth/tokens.js';
import { sendGraphQL } from '../graphql-client.js';
import { mulberry32 } from '../sample/random.js';

export const SOAK_JWT_SECRET = 'soak-and-fault-tests-secret-0123456789abcdef';

export interface Outcome {
  /** HTTP status; 0 when no response came (connection refused, reset, client timeout). */
  status: number;
  ms: number;
  /** The first error's code, `NETWORK` when no response came, undefined on success. */
  code: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL responses are checked by the callers.
  data: any;
  errors: Array<{ message: string; extensions?: { code?: string } }> | undefined;
  /** The Retry-After header of the response, if it had one. */
  retryAfter?: string | null;
}

/** One GraphQL request over HTTP, timed, as an outcome to count; never throws. */
export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; timeoutMs?: number } = {},
): Promise<Outcome> {
  const started = performance.now();
  try {
    const reply = await sendGraphQL(
      url,
      { query, variables },
      {
        accept: 'application/graphql-response+json, application/json',
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.token ? { token: options.token } : {}),
      },
    );
    const ms = reply.ms;
    if (reply.json === undefined) {
      return { status: reply.status, ms, code: 'NOT_JSON', data: undefined, errors: undefined };
    }
    const errors = reply.errors as Outcome['errors'];
    const code = errors?.length ? (errors[0]?.extensions?.code ?? 'UNKNOWN') : undefined;
    const retryAfter = reply.headers.get('retry-after');
    return { status: reply.status, ms, code, data: reply.data, errors, retryAfter };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      status: 0,
      ms: performance.now() - started,
      code: `NETWORK${cause ? `:${cause}` : `:${(error as Error).name}`}`,
      data: undefined,
      errors: undefined,
    };
  }
}

export const Q = {
  categories: 'query Categories { categories { id slug name productCount } }',
  categoryPage: `query CategoryPage($slug: String!, $first: Int, $after: String) {
    category(slug: $slug) { name products(first: $first, after: $after, sort: PRICE_ASC) {
      edges { cursor node { id name priceCents stock } } pageInfo { hasNextPage endCursor } } } }`,
  product: `query ProductPage($id: ID!) { product(id: $id) { id name priceCents stock
    category { slug } reviews(first: 5) { edges { node { rating author { name } } } } } }`,
  stock: 'query Stock($ids: [ID!]!) { products(ids: $ids) { id stock } }',
  me: `query Me { me { id name orderCount cart { totalCents items { quantity product { id stock } } }
    orders(first: 5) { edges { node { id status totalCents } } } } }`,
  myOrders: `query MyOrders($after: String) { me { orderCount orders(first: 40, after: $after) {
    edges { node { id status lines { quantity product { id } } } }
    pageInfo { hasNextPage endCursor } } } }`,
  createProfile: `mutation CreateProfile($input: CreateProfileInput!) { createProfile(input: $input) {
    __typename ... on Error { message } } }`,
  addToCart: `mutation AddToCart($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) { __typename ... on Error { message } } }`,
  placeOrder: `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) {
    __typename ... on PlaceOrderSuccess { order { id status totalCents } }
    ... on OutOfStockError { productId requested available } ... on Error { message } } }`,
  cancelOrder: `mutation CancelOrder($orderId: ID!) { cancelOrder(orderId: $orderId) {
    __typename ... on CancelOrderSuccess { order { id status } } ... on Error { message } } }`,
} as const;

export interface Shop {
  url: string;
  admin: string;
  customers: Array<{ id: string; token: string }>;
  categorySlugs: string[];
  /** Global ids of the products the traffic orders. */
  productIds: string[];
  initialStock: Map<string, number>;
}

/** Tokens, profiles for `customers` new customers, and the products the traffic will order. */
export async function prepareShop(
  url: string,
  options: { customers: number; products: number; prefix: string; secret?: string },
): Promise<Shop> {
  const secret = options.secret ?? SOAK_JWT_SECRET;
  const admin = await signDevToken(secret, { sub: `${options.prefix}-admin`, admin: true });
  const customers: Shop['customers'] = [];
  for (let i = 0; i < options.customers; i++) {
    const id = `${options.prefix}-c${i}`;
    const token = await signDevToken(secret, { sub: id });
    const created = await gql(
      url,
      Q.createProfile,
      { input: { name: `Soak ${i}`, email: `${id}@soak.example` } },
      { token },
    );
    const typename = created.data?.createProfile?.__typename;
    if (typename !== 'CreateProfileSuccess' && typename !== 'EmailTakenError') {
      throw new Error(`createProfile failed: ${JSON.stringify(created)}`);
    }
    customers.push({ id, token });
  }
  const cats = await gql(url, Q.categories, {}, { token: admin });
  const categorySlugs = (cats.data?.categories ?? []).map((c: { slug: string }) => c.slug);
  if (categorySlugs.length === 0) throw new Error(`no categories: ${JSON.stringify(cats)}`);
  const productIds: string[] = [];
  for (const slug of categorySlugs) {
    if (productIds.length >= options.products) break;
    const page = await gql(url, Q.categoryPage, { slug, first: 20 }, { token: admin });
    for (const edge of page.data?.category?.products?.edges ?? []) {
      if (edge.node.stock >= 20 && productIds.length < options.products) {
        productIds.push(edge.node.id);
      }
    }
  }
  if (productIds.length === 0) throw new Error('no product with stock');
  return {
    url,
    admin,
    customers,
    categorySlugs,
    productIds,
    initialStock: await readStock(url, admin, productIds),
  };
}

/** Stock as the table has it (a token: never from the response cache). */
export async function readStock(
  url: string,
  token: string,
  ids: string[],
): Promise<Map<string, number>> {
  const out = await gql(url, Q.stock, { ids }, { token });
  if (!out.data?.products) throw new Error(`could not read stock: ${JSON.stringify(out)}`);
  return new Map(
    (out.data.products as Array<{ id: string; stock: number }>).map((p) => [p.id, p.stock]),
  );
}

export type Op = 'categories' | 'category' | 'product' | 'me' | 'cart' | 'order' | 'cancel';

export interface Sample {
  op: Op;
  at: number;
  outcome: Outcome;
}

export interface TrafficOptions {
  shop: Shop;
  concurrency: number;
  /** Stops at whichever comes first. */
  durationMs: number;
  maxRequests: number;
  seed?: number;
  /** Relative weights of the operations. */
  mix?: Partial<Record<Op, number>>;
  timeoutMs?: number;
  onSample?: (sample: Sample) => void;
  /** Stops the traffic early. */
  signal?: AbortSignal;
}

const DEFAULT_MIX: Record<Op, number> = {
  categories: 3,
  category: 3,
  product: 3,
  me: 2,
  cart: 1,
  order: 3,
  cancel: 1,
};

/**
 * Bounded in count and time: `concurrency` workers, each a customer, run mixed operations until
 * `durationMs` or `maxRequests` is reached. Every request is recorded (nothing throws).
 */
export async function runTraffic(options: TrafficOptions): Promise<Sample[]> {
  const { shop } = options;
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const ops = Object.entries(mix).filter(([, w]) => w > 0) as Array<[Op, number]>;
  const totalWeight = ops.reduce((sum, [, w]) => sum + w, 0);
  const deadline = Date.now() + options.durationMs;
  const samples: Sample[] = [];
  let issued = 0;
  let keySeq = 0;
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  const worker = async (w: number) => {
    // The sample catalog's seeded generator: the same seed, the same traffic.
    const random = mulberry32((options.seed ?? 1) * 1_000 + w);
    const customer = shop.customers[w % shop.customers.length];
    if (!customer) return;
    const placed: string[] = [];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    while (Date.now() < deadline && issued < options.maxRequests && !options.signal?.aborted) {
      issued++;
      let r = random() * totalWeight;
      let op: Op = ops[0]?.[0] ?? 'categories';
      for (const [name, weight] of ops) {
        r -= weight;
        if (r < 0) {
          op = name;
          break;
        }
      }
      const call = (query: string, variables: Record<string, unknown>, token?: string) =>
        gql(shop.url, query, variables, {
          ...(token ? { token } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        });
      let outcome: Outcome;
      switch (op) {
        case 'categories':
          outcome = await call(Q.categories, {});
          break;
        case 'category':
          outcome = await call(Q.categoryPage, { slug: pick(shop.categorySlugs), first: 10 });
          break;
        case 'product':
          outcome = await call(Q.product, { id: pick(shop.productIds) });
          break;
        case 'me':
          outcome = await call(Q.me, {}, customer.token);
          break;
        case 'cart':
          outcome = await call(
            Q.addToCart,
            { productId: pick(shop.productIds), quantity: 1 + Math.floor(random() * 2) },
            customer.token,
          );
          break;
        case 'cancel': {
          const orderId = placed.shift();
          if (orderId) {
            outcome = await call(Q.cancelOrder, { orderId }, customer.token);
            break;
          }
          outcome = await call(Q.me, {}, customer.token);
          op = 'me';
          break;
        }
        default: {
          const fromCart = random() < 0.25;
          const first = pick(shop.productIds);
          const second = pick(shop.productIds);
          const lines = [{ productId: first, quantity: 1 + Math.floor(random() * 3) }];
          if (second !== first && random() < 0.5) lines.push({ productId: second, quantity: 1 });
          outcome = await call(
            Q.placeOrder,
            {
              input: {
                idempotencyKey: `k-${runId}-${w}-${++keySeq}`,
                ...(fromCart ? { fromCart: true } : { lines }),
              },
            },
            customer.token,
          );
          const order = outcome.data?.placeOrder?.order;
          if (order?.id) placed.push(order.id);
        }
      }
      const sample = { op, at: Date.now(), outcome };
      samples.push(sample);
      options.onSample?.(sample);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  return samples;
}

export interface InvariantReport {
  violations: string[];
  finalStock: Map<string, number>;
  orders: number;
  cancelled: number;
  orderedUnits: number;
}

/**
 * Stock adds up (initial = final + the quantities of every order that exists and is not
 * cancelled), no stock is negative, and each customer's orderCount equals its orders.
 */
export async function checkInvariants(shop: Shop): Promise<InvariantReport> {
  const violations: string[] = [];
  const ordered = new Map<string, number>(shop.productIds.map((id) => [id, 0]));
  let orders = 0;
  let cancelled = 0;
  for (const customer of shop.customers) {
    let after: string | undefined;
    let count = 0;
    let orderCount: number | undefined;
    for (let page = 0; page < 1_000; page++) {
      const out = await gql(shop.url, Q.myOrders, after ? { after } : {}, {
        token: customer.token,
      });
      const me = out.data?.me;
      if (!me) throw new Error(`could not read orders of ${customer.id}: ${JSON.stringify(out)}`);
      orderCount = me.orderCount;
      for (const { node } of me.orders.edges) {
        count++;
        if (node.status === 'CANCELLED') {
          cancelled++;
          continue;
        }
        for (const line of node.lines) {
          ordered.set(line.product.id, (ordered.get(line.product.id) ?? 0) + line.quantity);
        }
      }
      if (!me.orders.pageInfo.hasNextPage) break;
      after = me.orders.pageInfo.endCursor;
    }
    orders += count;
    if (orderCount !== count) {
      violations.push(`${customer.id}: orderCount ${orderCount} but ${count} orders`);
    }
  }
  const finalStock = await readStock(shop.url, shop.admin, shop.productIds);
  let orderedUnits = 0;
  for (const id of shop.productIds) {
    const initial = shop.initialStock.get(id) ?? 0;
    const final = finalStock.get(id) ?? Number.NaN;
    const units = ordered.get(id) ?? 0;
    orderedUnits += units;
    if (final < 0) violations.push(`${id}: negative stock ${final}`);
    if (initial !== final + units) {
      violations.push(`${id}: initial ${initial} != final ${final} + ordered ${units}`);
    }
  }
  return { violations, finalStock, orders, cancelled, orderedUnits };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Resident set size of a process in kB (Linux), undefined elsewhere. */
export function rssKb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface SoakResult {
  requests: number;
  durationMs: number;
  byCode: Record<string, number>;
  byStatus: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  rss: Array<{ s: number; kb: number }>;
  invariants: InvariantReport;
  outcomes: Record<string, number>;
}

/** Traffic for `durationMs`, RSS sampled every `rssEveryMs`, then the invariants. */
export async function soak(options: {
  shop: Shop;
  pid: number;
  durationMs: number;
  concurrency: number;
  seed?: number;
  rssEveryMs?: number;
  maxRequests?: number;
}): Promise<SoakResult> {
  const started = Date.now();
  const rss: SoakResult['rss'] = [];
  const sampleRss = () => {
    const kb = rssKb(options.pid);
    if (kb !== undefined) rss.push({ s: Math.round((Date.now() - started) / 1_000), kb });
  };
  sampleRss();
  const timer = setInterval(sampleRss, options.rssEveryMs ?? 5_000);
  let samples: Sample[];
  try {
    samples = await runTraffic({
      shop: options.shop,
      concurrency: options.concurrency,
      durationMs: options.durationMs,
      maxRequests: options.maxRequests ?? 1_000_000,
      seed: options.seed ?? 7,
    });
  } finally {
    clearInterval(timer);
  }
  sampleRss();
  const durationMs = Date.now() - started;
  const byCode: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  for (const { op, outcome } of samples) {
    byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
    if (outcome.code) byCode[outcome.code] = (byCode[outcome.code] ?? 0) + 1;
    const data = outcome.data ?? {};
    const typename = Object.values(data as Record<string, { __typename?: string } | null>)[0]
      ?.__typename;
    const key = `${op}${typename ? `:${typename}` : ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const latencies = samples.map((s) => s.outcome.ms);
  return {
    requests: samples.length,
    durationMs,
    byCode,
    byStatus,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(0, ...latencies),
    rss,
    invariants: await checkInvariants(options.shop),
    outcomes,
  };
}

export function soakMarkdown(result: SoakResult, title: string): string {
  const rows = (record: Record<string, number>) =>
    Object.entries(record)
      .sort()
      .map(([k, v]) => `| ${k} | ${v} |`)
      .join('\n') || '| (none) | 0 |';
  const first = result.rss[0]?.kb ?? 0;
  const last = result.rss.at(-1)?.kb ?? 0;
  const peak = Math.max(0, ...result.rss.map((r) => r.kb));
  return [
    `# ${title}`,
    '',
    `Written ${new Date().toISOString()} by scripts/soak.ts.`,
    '',
    `- requests: ${result.requests} in ${(result.durationMs / 1_000).toFixed(1)} s (${(
      (result.requests * 1_000) / Math.max(1, result.durationMs)
    ).toFixed(0)}/s)`,
    `- latency: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`,
    `- RSS: start ${(first / 1024).toFixed(1)} MB, end ${(last / 1024).toFixed(1)} MB, peak ${(peak / 1024).toFixed(1)} MB`,
    `- orders: ${result.invariants.orders} (${result.invariants.cancelled} cancelled), ${result.invariants.orderedUnits} units still ordered`,
    `- invariant violations: ${result.invariants.violations.length}`,
    ...result.invariants.violations.slice(0, 20).map((v) => `  - ${v}`),
    '',
    '| HTTP status | requests |',
    '|---|---|',
    rows(result.byStatus),
    '',
    '| error code | requests |',
    '|---|---|',
    rows(result.byCode),
    '',
    '| operation:result | requests |',
    '|---|---|',
    rows(result.outcomes),
    '',
    '| second | RSS (MB) |',
    '|---|---|',
    ...result.rss.map((r) => `| ${r.s} | ${(r.kb / 1024).toFixed(1)} |`),
    '',
  ].join('\n');
}

export function writeResult(name: string, markdown: string): string {
  mkdirSync('test-results', { recursive: true });
  const path = join('test-results', name);
  writeFileSync(path, markdown);
  return path;
}

/** Traffic settings for a soak: the mutation rate limit is raised (it would refuse the load). */
export const SOAK_SERVER_ENV = {
  JWT_SECRET: SOAK_JWT_SECRET,
  RATE_LIMIT_MUTATIONS: '1000000',
  LOG_LEVEL: 'warn',
} as const;
