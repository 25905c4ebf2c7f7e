import type { BenchData } from '../../src/dev/bench/dataset.js';
import type { Machine } from '../../src/dev/bench/processes.js';
import type { RoundTripRow } from '../../src/dev/bench/roundtrips.js';
import type { AnswerKind } from '../../src/dev/load/crowd.js';
import type { LoadResult } from './load.js';
import { type PeerResults, peerTargets, renderPeerSection } from './report-peer.js';

export interface OverheadRow {
  operation: string;
  gateway: LoadResult;
  direct: LoadResult;
  /** DynamoDB calls per request as each side counted them during its run. */
  gatewayCalls: number;
  directCalls: number;
  /** Calls per request the gateway sent when recorded in-process (what direct replays). */
  recordedCalls: number;
  /** Every gateway/direct pair of runs; gateway and direct above pool each side's runs. */
  pairs: Array<{ gatewayP50: number; directP50: number; gatewayRps: number; directRps: number }>;
}

export interface WarmupRound {
  gatewayRps: Record<string, number>;
}

export interface OrderRun {
  load: LoadResult;
  success: number;
  outOfStock: number;
  other: number;
  products: Array<{
    name: string;
    initial: number;
    final: number;
    orderedInDb: number;
  }>;
  ordersInDb: number;
  /** final >= 0 for every product and initial - final == what the orders in the table hold. */
  noOversell: boolean;
}

/** Latency and answers of one placeOrder run of the crowd row, and the audit of its shop. */
export interface CrowdPhase {
  /** Orders sent. */
  orders: number;
  /** From sending the first order to receiving the last answer. */
  seconds: number;
  /** Answers that are PlaceOrderSuccess or OutOfStockError. */
  answered: number;
  /** `answered` per second of `seconds`. */
  perSecond: number;
  /** Latency of every answer, whatever its kind, in milliseconds. */
  p50: number;
  p99: number;
  max: number;
  kinds: Record<AnswerKind, number>;
  /** The audit against the table (src/dev/load/crowd.ts `auditCrowd`), strongly consistent. */
  ordersInTable: number;
  falseFailures: number;
  placedButMissing: number;
  unknownButPlaced: number;
  stockViolations: number;
  /** The first few answers of kind `other`, as they came back. */
  otherDetails: string[];
}

export interface CrowdRun {
  /** Each phase has a shop of its own with this shape (customers with profiles, products). */
  customers: number;
  products: number;
  stock: number;
  /** Closed loop: `workers` concurrent clients, each sending its next order on an answer. */
  sustained: CrowdPhase & { workers: number; durationS: number };
  /** Every order sent at once. */
  crowd: CrowdPhase;
}

export interface MemoryRun {
  warmupRequests: number;
  afterWarmupBytes: number;
  /** Requests the process answered after the warm-up reading. */
  requests: number;
  afterBytes: number;
  targetRequests: number;
  cachedGatewayBytes: number;
  directBytes: number;
  /** The gateway's memory along the run: requests after warm-up, RSS and V8 heap. */
  samples: Array<{
    label: string;
    requests: number;
    rssBytes: number;
    heapUsed: number;
    heapTotal: number;
  }>;
}

export interface BenchResults {
  mode: 'full' | 'quick';
  startedAt: string;
  totalSeconds: number;
  machine: Machine;
  method: {
    connections: number;
    durationS: number;
    pairs: number;
    pairS: number;
    warmupS: number;
    /** Rounds of the warm-up and the gateway's req/s per scenario in each (absent before them). */
    warmupRounds?: number;
    warmup?: WarmupRound[];
    cacheTtlSeconds: number;
    orderConnections: number;
    /** Node flags of every server process (those of `npm start`). */
    nodeFlags?: string[];
  };
  data: BenchData;
  roundTrips: RoundTripRow[];
  overhead: OverheadRow[];
  featured: { uncached: LoadResult; cached: LoadResult };
  orders: OrderRun;
  /** The placeOrder crowd row (absent from results saved before it existed). */
  crowd?: CrowdRun;
  memory: MemoryRun;
  /** The gateway against the hand-written peer (absent from results saved before it existed). */
  peer?: PeerResults;
  notes: string;
  /** 1, 5 and 15 minute load averages when the run started and ended. */
  load: { atStart: number[]; atEnd: number[] };
}

/** The gateway's req/s in each round of the warm-up: how far from its steady state it started. */
function warmupLine(rounds: WarmupRound[] | undefined): string[] {
  if (!rounds || rounds.length === 0) return [];
  const scenarios = Object.keys(rounds[0]?.gatewayRps ?? {});
  const perScenario = scenarios.map(
    (scenario) =>
      `${scenario} ${rounds.map((round) => num(round.gatewayRps[scenario] ?? Number.NaN)).join(', ')}`,
  );
  return [
    `The gateway's req/s in each of the ${rounds.length} warm-up round(s) before these runs: ${perScenario.join('; ')}.`,
  ];
}

interface Target {
  figure: string;
  measured: string;
  target: string;
  met: boolean;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const num = (v: number, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
/** Three decimals where a target is compared, so that 0.799 does not read as 0.80. */
const ratio3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const callsText = (calls: Record<string, number>) =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ') || 'none';

/** CPU milliseconds per request of the server, DynamoDB Local and the load generator together. */
function totalCpu(run: LoadResult): number {
  const { server = Number.NaN, dynamodb = Number.NaN, loadgen = Number.NaN } = run.cpuPerRequest;
  return server + dynamodb + loadgen;
}

export function targets(results: BenchResults): Target[] {
  const list: Target[] = [];
  for (const row of results.overhead) {
    const p50 = row.gateway.p50 / row.direct.p50;
    list.push({
      figure: `${row.operation}: gateway p50 / direct SDK p50`,
      measured: `${ratio3(p50)} (${ms(row.gateway.p50)} / ${ms(row.direct.p50)})`,
      target: '<= 1.25',
      met: p50 <= 1.25,
    });
  }
  for (const row of results.overhead) {
    const rps = row.gateway.rps / row.direct.rps;
    list.push({
      figure: `${row.operation}: gateway req/s / direct SDK req/s`,
      measured: `${ratio3(rps)} (${num(row.gateway.rps)} / ${num(row.direct.rps)})`,
      target: '>= 0.80',
      met: rps >= 0.8,
    });
  }
  const rt = (name: string) => results.roundTrips.find((r) => r.operation === name);
  const noStock = rt('Products (no stock)');
  const withStock = rt('Products');
  if (noStock) {
    list.push({
      figure: '`products(ids:)`, 100 ids, without stock: DynamoDB calls',
      measured: callsText(noStock.calls),
      target: 'BatchGetItem 1',
      met: noStock.total === 1 && noStock.calls.BatchGetItem === 1,
    });
  }
  if (withStock) {
    list.push({
      figure: '`products(ids:)`, 100 ids, with stock (contract `Products`): DynamoDB calls',
      measured: callsText(withStock.calls),
      target: 'BatchGetItem 2',
      met: withStock.total === 2 && withStock.calls.BatchGetItem === 2,
    });
  }
  const page = rt('ProductPage');
  if (page) {
    list.push({
      figure: 'ProductPage, 10 reviews and their authors: DynamoDB calls',
      measured: `${page.total} (${callsText(page.calls)})`,
      target: '<= 3',
      met: page.total <= 3,
    });
  }
  const me = rt('Me');
  if (me) {
    list.push({
      figure: "Me, 10 orders and each line's product name: DynamoDB calls",
      measured: `${me.total} (${callsText(me.calls)})`,
      target: '<= 4',
      met: me.total <= 4,
    });
  }
  for (const name of ['Me', 'CategoryPage']) {
    const row = rt(name);
    if (!row) continue;
    list.push({
      figure: `${name}: round trips of a naive resolver tree / the gateway's`,
      measured: `${ratio(row.ratio)}x (${row.naive.total} / ${row.total})`,
      target: '>= 10x',
      met: row.ratio >= 10,
    });
  }
  const { cached, uncached } = results.featured;
  const cache = cached.rps / uncached.rps;
  list.push({
    figure: 'Featured: cached req/s / uncached req/s',
    measured: `${ratio(cache)}x (${num(cached.rps)} / ${num(uncached.rps)})`,
    target: '>= 5x',
    met: cache >= 5,
  });
  const { memory } = results;
  const label =
    memory.requests >= 100_000
      ? `RSS after ${num(memory.requests)} requests`
      : `RSS after ${num(memory.requests)} requests (${results.mode === 'quick' ? 'quick mode' : 'the time cap came first'}: fewer than 100,000)`;
  list.push({
    figure: label,
    measured: mb(memory.afterBytes),
    target: '<= 200 MB',
    met: memory.afterBytes <= 200 * 1024 * 1024,
  });
  const growth = (memory.afterBytes - memory.afterWarmupBytes) / memory.afterWarmupBytes;
  list.push({
    figure: 'RSS growth after warm-up',
    measured: `${(growth * 100).toFixed(1)} % (${mb(memory.afterWarmupBytes)} to ${mb(memory.afterBytes)})`,
    target: '< 10 %',
    met: growth < 0.1,
  });
  list.push({
    figure: '`placeOrder` under contention: oversold units',
    measured: results.orders.noOversell ? '0' : 'OVERSOLD (see below)',
    target: '0',
    met: results.orders.noOversell,
  });
  const { crowd } = results;
  if (crowd) {
    const goodput = crowd.crowd.perSecond / crowd.sustained.perSecond;
    list.push({
      figure: `\`placeOrder\` crowd (${num(crowd.crowd.orders)} at once): goodput / sustained throughput (${crowd.sustained.workers} workers), same run`,
      measured: `${ratio3(goodput)} (${num(crowd.crowd.perSecond)} / ${num(crowd.sustained.perSecond)} orders/s)`,
      target: '>= 0.80',
      met: goodput >= 0.8,
    });
    const k = crowd.crowd.kinds;
    const outside = k.unavailable + k.unknown + k.other;
    list.push({
      figure: '`placeOrder` crowd: answers other than success, out of stock or shed before write',
      measured:
        outside === 0
          ? '0'
          : `${num(outside)} (unavailable ${num(k.unavailable)}, unknown ${num(k.unknown)}, other ${num(k.other)})`,
      target: '0',
      met: outside === 0,
    });
    list.push({
      figure: '`placeOrder` crowd: false failures (orders in the table answered as failed)',
      measured: num(crowd.crowd.falseFailures),
      target: '0',
      met: crowd.crowd.falseFailures === 0,
    });
  }
  if (results.peer) list.push(...peerTargets(results.peer));
  return list;
}

export function renderReport(results: BenchResults): string {
  const { machine, method, data, memory, orders } = results;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const list = targets(results);
  const met = list.filter((t) => t.met).length;

  push(
    '# Benchmarks',
    '',
    `Written by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` (scripts/bench.ts) on ${results.startedAt}, in ${Math.round(results.totalSeconds)} s.` +
      (results.mode === 'quick'
        ? ' **Quick mode: short runs and fewer requests; the figures are indicative only.**'
        : ''),
    'Every figure below comes from that one run on this machine; ratios compare runs made minutes apart under the same conditions.',
    '',
    `**${met} of ${list.length} targets met.**`,
    '',
    '| Figure | Measured | Target | Met? |',
    '|---|---|---|---|',
    ...list.map(
      (t) => `| ${t.figure} | ${t.measured} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
  );

  push(
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| Memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| Java | ${machine.java} |`,
    `| DynamoDB Local | ${machine.dynamoLocal}, in memory (\`-inMemory -sharedDb\`) |`,
    `| Load average (1, 5, 15 min) | ${results.load.atStart.map((v) => v.toFixed(2)).join(', ')} at the start, ${results.load.atEnd.map((v) => v.toFixed(2)).join(', ')} at the end |`,
    '',
    'Everything runs on these cores at once: DynamoDB Local (a JVM), the gateway, the direct-SDK',
    'baseline (idle while the gateway is measured, and the other way round) and the load generator.',
    '',
  );

  const entityCounts = Object.entries(data.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([entity, n]) => `${entity} ${num(n)}`)
    .join(', ');
  push(
    '## Method',
    '',
    `- **Dataset.** ${num(data.totalItems)} items written with BatchWriteItem in ${num(data.loadMs / 1000, 1)} s into an empty table: the sample catalog generator (\`src/dev/sample/catalog.ts\`, ${num(data.options.products)} products, fixed seed) plus the bench's own customers: ${data.meCustomers.length} with 10 orders of 3 lines and a cart of 3 lines (Me), ${data.buyers.length} buyers with a profile (placeOrder), and ${data.hotProducts.length} contended products with ${num(data.options.hotStock)} in stock each. By entity: ${entityCounts}.`,
    `- **Processes.** DynamoDB Local (in memory); the gateway's production entry point with \`npm start\`'s node flags, \`node ${(method.nodeFlags ?? []).join(' ')} dist/src/entry/server.js\` (compiled, \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, \`RESPONSE_CACHE_TTL_SECONDS=0\`, a mutation rate limit of 1,000,000, its DynamoDB Streams reader running as in production); a second gateway with \`RESPONSE_CACHE_TTL_SECONDS=${method.cacheTtlSeconds}\` for the cached read; the direct-SDK baseline (\`scripts/bench/direct-server.ts\`, compiled, with the same Node flags)${results.peer ? '; the peer (`scripts/bench/peer-server.ts`, compiled, the same flags, section 8)' : ''}. All listen on 127.0.0.1; the load generator (autocannon) runs in the bench process.`,
    `- **Load.** autocannon, ${method.connections} connections, no pipelining; after ${method.warmupRounds ?? 1} round(s) of warm-up of ${method.warmupS} s per scenario and server (and again right before each overhead operation's pairs, on both sides), each overhead operation as ${method.pairs} gateway/baseline pair(s) of ${method.pairS} s runs, the cached read and placeOrder (${method.orderConnections} connections) as ${method.durationS} s runs. Requests rotate through fixed variants (${data.reviewedProducts.length} products with 10+ reviews for ProductPage, ${data.bigCategories.length} categories of 20+ products for CategoryPage with \`first: 20\`, ${data.meCustomers.length} customers for Me with \`orders: 10\`, \`first: 20\` for Featured). Latency percentiles are computed from every 200 response's time as autocannon measured it (microsecond resolution); req/s is completed requests over the run's wall time.`,
    '- **Direct SDK baseline.** Before the load runs, each variant of each scenario is run once through the real app in-process, with its DocumentClient wrapped to record every command RequestDb sends and which calls had finished when each began. The baseline server replays exactly those commands (same command classes, same keys and inputs, the same DocumentClient from `src/store/client.ts`), each call starting when the calls that had finished before it in the gateway are done: sequential where the gateway is sequential, parallel where it is parallel. It receives the same HTTP request body, parses it, and answers the items as JSON. The calls per request that each side made during its load run are shown beside it.',
    "- **Round trips.** Each query and mutation of the contract (the two subscriptions excepted) is sent once, one at a time, to the app in-process (`createApp`, production settings) and the DynamoDB client's `WireCounter` (every attempt on the wire, by command) is read before and after. The naive figure walks the actual response JSON with the operation and the schema (`scripts/bench/naive.ts`): one GetItem for every Product, Category, Customer, Order and Review object in the response, one more for every `Product.stock`, one Query for every connection, every Cart and `categories` (ordersByStatus: one per write shard); for a mutation, plus the writes the gateway made. That is what a resolver tree with no DataLoader and no priming issues: list resolvers return keys and each object's resolver reads its item. A mutation's own reads before it writes are left out of the naive figure, which flatters the naive tree.",
    `- **Memory.** VmRSS of the uncached gateway process from /proc, after the warm-up (${num(memory.warmupRequests)} requests) and after ${num(memory.requests)} further requests: every measured run against that process (ProductPage, CategoryPage, Me, ${results.peer ? "the gateway's runs of the peer section, " : ''}Featured uncached, placeOrder) and then a mix of the four read scenarios up to ${num(memory.targetRequests)}.${results.crowd ? ` The placeOrder crowd (section 5) runs after these readings, against the same process: its burst of ${num(results.crowd.crowd.orders)} requests at once grows V8's heap once, which is not what the growth figure is for; the memory table shows the gateway after it too.` : ''}`,
    '',
  );

  push(
    '## 1. Round trips per operation',
    '',
    'Counted at the wire. "Chain" is the longest chain of calls that waited for one another (the latency floor in round trips).',
    '',
    '| Operation | Kind | Shape | Gateway calls | Chain | Naive tree (GetItem + Query + writes) | Naive / gateway |',
    '|---|---|---|---|---|---|---|',
    ...results.roundTrips.map(
      (r) =>
        `| ${r.operation} | ${r.kind} | ${r.shape} | ${r.total} (${callsText(r.calls)}) | ${r.sequential} | ${r.naive.total} (${r.naive.getItem} + ${r.naive.query} + ${r.naive.writes}) | ${ratio(r.ratio)}x |`,
    ),
    '',
  );

  push(
    '## 2. Gateway overhead',
    '',
    `Same operations, same DynamoDB calls, same concurrency (${method.connections} connections). Each operation is measured as ${method.pairs} pair(s) of ${method.pairS} s runs (gateway then baseline, then the other way round, and so on); the table pools each side's runs (requests over their summed time, percentiles over every response of them, CPU weighted by requests), as the peer section does, and every pair is listed below it.`,
    ...warmupLine(method.warmup),
    'CPU is milliseconds of CPU time per request of each process over the run (from /proc/<pid>/stat); "cores busy" is what the three used together (req/s × their CPU per request), and "CPU predicts" is the req/s ratio their CPU per request alone would give. Calls/request is what each side counted during its run (the gateway on `/metrics`, the baseline at its wire) over completed requests: requests still in flight when a run stops add a few percent.',
    '',
    '| Operation | Target | Calls/request | p50 | p90 | p99 | req/s | CPU ms/req: server | DynamoDB Local | load generator | Cores busy (the three) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const row of results.overhead) {
    for (const [label, run, calls] of [
      ['gateway', row.gateway, row.gatewayCalls],
      ['direct SDK', row.direct, row.directCalls],
    ] as const) {
      push(
        `| ${row.operation} | ${label} | ${num(calls, 2)} | ${ms(run.p50)} | ${ms(run.p90)} | ${ms(run.p99)} | ${num(run.rps)} | ${num(run.cpuPerRequest.server ?? Number.NaN, 2)} | ${num(run.cpuPerRequest.dynamodb ?? Number.NaN, 2)} | ${num(run.cpuPerRequest.loadgen ?? Number.NaN, 2)} | ${num((run.rps * totalCpu(run)) / 1000, 2)} |`,
      );
    }
    push(
      `| ${row.operation} | **ratio** | | **${ratio(row.gateway.p50 / row.direct.p50)}** | ${ratio(row.gateway.p90 / row.direct.p90)} | ${ratio(row.gateway.p99 / row.direct.p99)} | **${ratio(row.gateway.rps / row.direct.rps)}** (CPU predicts ${ratio(totalCpu(row.direct) / totalCpu(row.gateway))}) | | | | |`,
    );
  }
  push(
    '',
    'Every pair (gateway / direct SDK):',
    '',
    '| Operation | Pair | p50 | req/s | p50 ratio | req/s ratio |',
    '|---|---|---|---|---|---|',
    ...results.overhead.flatMap((row) =>
      row.pairs.map(
        (p, i) =>
          `| ${row.operation} | ${i + 1} | ${ms(p.gatewayP50)} / ${ms(p.directP50)} | ${num(p.gatewayRps)} / ${num(p.directRps)} | ${ratio(p.gatewayP50 / p.directP50)} | ${ratio(p.gatewayRps / p.directRps)} |`,
      ),
    ),
  );
  push(
    '',
    `Failed responses (non-200 or GraphQL errors) in these runs: ${results.overhead
      .map(
        (r) =>
          `${r.operation} ${r.gateway.failures + r.gateway.errors} / ${r.direct.failures + r.direct.errors}`,
      )
      .join(', ')} (gateway / direct).`,
    '',
  );

  const { cached, uncached } = results.featured;
  push(
    '## 3. Cached catalog read',
    '',
    `\`Featured\` (\`first: 20\`, anonymous) against the uncached gateway and against one with \`RESPONSE_CACHE_TTL_SECONDS=${method.cacheTtlSeconds}\` (yoga's response cache, in memory), ${method.connections} connections.`,
    '',
    '| Gateway | p50 | p99 | req/s | CPU ms/req: server | DynamoDB Local |',
    '|---|---|---|---|---|---|',
    `| uncached | ${ms(uncached.p50)} | ${ms(uncached.p99)} | ${num(uncached.rps)} | ${num(uncached.cpuPerRequest.server ?? Number.NaN, 2)} | ${num(uncached.cpuPerRequest.dynamodb ?? Number.NaN, 2)} |`,
    `| cached | ${ms(cached.p50)} | ${ms(cached.p99)} | ${num(cached.rps)} | ${num(cached.cpuPerRequest.server ?? Number.NaN, 2)} | ${num(cached.cpuPerRequest.dynamodb ?? Number.NaN, 2)} |`,
    `| **ratio** | | | **${ratio(cached.rps / uncached.rps)}x** | | |`,
    '',
  );

  push(
    '## 4. placeOrder under contention',
    '',
    `${data.buyers.length} customers order concurrently (${method.orderConnections} connections, ${method.durationS} s), each order taking 1 unit of 2 of the ${data.hotProducts.length} contended products, every request with a new idempotency key. ${orders.outOfStock > 0 ? 'Stock ran out during the run; later orders failed with OutOfStockError.' : 'Stock did not run out during the run.'}`,
    '',
    '| | |',
    '|---|---|',
    `| requests | ${num(orders.load.requests)} in ${num(orders.load.seconds, 1)} s: **${num(orders.load.rps)} req/s** |`,
    `| latency p50 / p99 | ${ms(orders.load.p50)} / ${ms(orders.load.p99)} |`,
    `| PlaceOrderSuccess | ${num(orders.success)} (orders found in the table afterwards: ${num(orders.ordersInDb)}) |`,
    `| OutOfStockError | ${num(orders.outOfStock)} |`,
    `| anything else | ${num(orders.other + orders.load.errors)} |`,
    '',
    '| Product | Stock before | Stock after | Units in the orders written | Oversold |',
    '|---|---|---|---|---|',
    ...orders.products.map(
      (p) =>
        `| ${p.name} | ${num(p.initial)} | ${num(p.final)} | ${num(p.orderedInDb)} | ${p.final >= 0 && p.initial - p.final === p.orderedInDb ? '0' : '**yes**'} |`,
    ),
    '',
    'Checked at the end with consistent reads: no stock is below zero, and for every product the stock taken equals the units in the orders written.',
    '',
  );

  const { crowd } = results;
  if (crowd) {
    const { sustained, crowd: all } = crowd;
    const kinds = (k: CrowdPhase['kinds']) =>
      `${num(k.placed)} / ${num(k['out-of-stock'])} / ${num(k.shed)} / ${num(k.unavailable)} / ${num(k.unknown)} / ${num(k.other)}`;
    const row = (label: string, p: CrowdPhase) =>
      `| ${label} | ${num(p.orders)} in ${num(p.seconds, 2)} s | **${num(p.perSecond)}** | ${ms(p.p50)} | ${ms(p.p99)} | ${ms(p.max)} | ${kinds(p.kinds)} | ${num(p.ordersInTable)} | ${num(p.falseFailures)} | ${num(p.placedButMissing)} | ${num(p.stockViolations)} |`;
    push(
      '## 5. placeOrder crowd',
      '',
      `A flash-sale crowd at checkout (\`src/dev/load/crowd.ts\`) against the same gateway process. Each of the two runs has a shop of its own, written into the table for it: ${num(crowd.customers)} customers with profiles and ${num(crowd.products)} products with ${num(crowd.stock)} units each (more than either run can sell). Each order has a new idempotency key and one or two lines of 1 or 2 units, over the shop's customers in turn, sent with \`fetch\` from the bench process. **Sustained**: a closed loop of ${sustained.workers} workers, each sending its next order when its answer comes, for ${num(sustained.durationS)} s: the throughput without a crowd. **Crowd**: ${num(all.orders)} orders sent at once. Orders/s is the answers that are PlaceOrderSuccess or OutOfStockError over the seconds from sending the first order to receiving the last answer (for the crowd: goodput). Latency is of every answer, shed ones included. After each run the table is read (consistent reads) and held against the answers: a false failure is an order that exists but was answered as failed; "placed but missing" an order answered as placed that does not exist; a stock violation a product whose stock taken differs from the units in the orders that exist.`,
      '',
      '| Run | Orders | Orders/s | p50 | p99 | max | Answers: placed / out of stock / shed (503) / unavailable (503) / unknown / other | Orders in the table | False failures | Placed but missing | Stock violations |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      row(`sustained, ${sustained.workers} workers`, sustained),
      row(`crowd, ${num(all.orders)} at once`, all),
      `| **crowd / sustained** | | **${ratio3(all.perSecond / sustained.perSecond)}** | | | | | | | | |`,
      '',
    );
    const others = [...sustained.otherDetails, ...all.otherDetails];
    if (others.length > 0) {
      push(
        'Answers of kind "other" (the first few):',
        '',
        ...others.map((d) => `- \`${d.replaceAll('`', "'").replaceAll('\n', ' ')}\``),
        '',
      );
    }
  }

  push(
    `## ${crowd ? 6 : 5}. Memory`,
    '',
    '| Process | RSS |',
    '|---|---|',
    `| gateway, after warm-up (${num(memory.warmupRequests)} requests) | ${mb(memory.afterWarmupBytes)} |`,
    `| gateway, after ${num(memory.requests)} more requests | ${mb(memory.afterBytes)} |`,
    `| cached gateway, at the end | ${mb(memory.cachedGatewayBytes)} |`,
    `| direct SDK baseline, at the end | ${mb(memory.directBytes)} |`,
    '',
    'The gateway along the run (requests counted after the warm-up; heap as V8 reports it on `/metrics`):',
    '',
    '| When | Requests | RSS | V8 heap used | V8 heap total |',
    '|---|---|---|---|---|',
    ...memory.samples.map(
      (s) =>
        `| ${s.label} | ${num(s.requests)} | ${mb(s.rssBytes)} | ${mb(s.heapUsed)} | ${mb(s.heapTotal)} |`,
    ),
    '',
  );

  // After the memory section and the fleet's (7, written by npm run bench:fleet, kept in place).
  if (results.peer) push(...renderPeerSection((crowd ? 6 : 5) + 2, results.peer));

  if (results.notes.trim()) push(results.notes.trim(), '');
  return `${out.join('\n')}\n`;
}
