/**
 * `npm run bench [-- --quick] [-- --out FILE] [-- --no-build] [-- --render RESULTS.json]`:
 * the benchmark suite.
 *
 * Starts its own DynamoDB Local (in memory), loads a fixed dataset, counts the DynamoDB round
 * trips of every contract operation, then starts the compiled gateway (twice: uncached and
 * cached), a direct-SDK baseline server and a hand-written peer (Apollo Server, DataLoader; see
 * scripts/bench/peer-server.ts), each as its own process on 127.0.0.1, and loads them with
 * autocannon at a fixed concurrency and duration. Writes BENCHMARKS.md (full mode) with the
 * machine, the method and the figures. Every run and loop is bounded in count and time; every
 * process it starts is stopped at the end, on error, and on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { signDevToken } from '../src/auth/tokens.js';
import type { BenchData } from '../src/dev/bench/dataset.js';
import {
  type ChildServer,
  describeMachine,
  ROOT,
  rssBytes,
  startNodeFlags,
  startNodeServer,
} from '../src/dev/bench/processes.js';
import {
  extractSection,
  FLEET_SECTION,
  replaceSection,
  SECTION_BEFORE,
} from '../src/dev/bench/report-section.js';
import { scenarioRequests, variantTokens } from '../src/dev/bench/requests.js';
import {
  inProcessGateway,
  measureRoundTrips,
  recordPlans,
  scenarioVariants,
} from '../src/dev/bench/roundtrips.js';
import {
  benchGatewayEnv,
  benchNodeArgs,
  benchPeerEnv,
  buildForBench,
  startBenchTable,
} from '../src/dev/bench/setup.js';
import { documentOperations, graphqlBody } from '../src/dev/documents.js';
import { freePort } from '../src/dev/dynamodb-local.js';
import {
  auditCrowd,
  type CrowdAnswer,
  type CrowdOrder,
  type CrowdShop,
  crowdOrders,
  placeOrder,
  prepareCrowdShop,
  runCrowd,
} from '../src/dev/load/crowd.js';
import { percentile } from '../src/dev/load/soak.js';
import { inventoryKey } from '../src/models/inventory.js';
import { customerOrdersQuery } from '../src/models/order.js';
import type { createDynamo } from '../src/store/client.js';
import { type LoadRequest, type LoadResult, poolRuns, runLoad } from './bench/load.js';
import { measurePeer } from './bench/peer-runs.js';
import type {
  BenchResults,
  CrowdPhase,
  CrowdRun,
  MemoryRun,
  OrderRun,
  OverheadRow,
  WarmupRound,
} from './bench/report.js';
import { renderReport, targets } from './bench/report.js';
import { PEER_TITLE } from './bench/report-peer.js';

interface Profile {
  mode: 'full' | 'quick';
  connections: number;
  durationS: number;
  /** Gateway/direct pairs per operation, and the length of each run of a pair. */
  pairs: number;
  pairS: number;
  warmupS: number;
  /** Rounds of the warm-up over every read scenario (the per-operation warm-up is one). */
  warmupRounds: number;
  orderConnections: number;
  memoryRequests: number;
  memoryMaxS: number;
  cacheTtlSeconds: number;
  /**
   * The placeOrder crowd row: `workers` concurrent clients back to back for `durationS` (the
   * sustained throughput), then `orders` at once; each run on a shop of its own.
   */
  crowd: { workers: number; orders: number; customers: number; products: number; stock: number };
  /**
   * The peer section: per operation, a warm-up of `warmupS` on each side, then `pairsPerPass`
   * gateway/peer pairs of `runS` runs, and as many peer/gateway pairs (`--peer-run-s` sets runS).
   */
  peer: { pairsPerPass: number; runS: number; warmupS: number };
  dataset: {
    products: number;
    meCustomers: number;
    buyers: number;
    hotStock: number;
    orderStatusShards: number;
  };
}

const FULL: Profile = {
  mode: 'full',
  connections: 10,
  durationS: 12,
  pairs: 4,
  pairS: 8,
  warmupS: 3,
  warmupRounds: 4,
  orderConnections: 10,
  memoryRequests: 100_000,
  memoryMaxS: 600,
  cacheTtlSeconds: 60,
  crowd: { workers: 16, orders: 1_000, customers: 200, products: 10, stock: 100_000 },
  peer: { pairsPerPass: 2, runS: 8, warmupS: 3 },
  dataset: { products: 1_000, meCustomers: 5, buyers: 50, hotStock: 250, orderStatusShards: 4 },
};
const QUICK: Profile = {
  mode: 'quick',
  connections: 10,
  durationS: 3,
  pairs: 1,
  pairS: 3,
  warmupS: 1,
  warmupRounds: 1,
  orderConnections: 10,
  memoryRequests: 5_000,
  memoryMaxS: 60,
  cacheTtlSeconds: 60,
  crowd: { workers: 16, orders: 1_000, customers: 200, products: 10, stock: 100_000 },
  peer: { pairsPerPass: 2, runS: 1.5, warmupS: 1 },
  dataset: { products: 200, meCustomers: 3, buyers: 20, hotStock: 60, orderStatusShards: 4 },
};

const OVERHEAD_SCENARIOS = ['ProductPage', 'CategoryPage', 'Me'] as const;
const READ_SCENARIOS = ['ProductPage', 'CategoryPage', 'Me', 'Featured'] as const;
const TABLE = 'BenchShop';
const NOTES = join(ROOT, 'scripts', 'bench', 'NOTES.md');

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const outIndex = argv.indexOf('--out');
  const out =
    outIndex >= 0 && argv[outIndex + 1]
      ? argv[outIndex + 1]!
      : quick
        ? join(tmpdir(), 'BENCHMARKS.quick.md')
        : join(ROOT, 'BENCHMARKS.md');
  const renderIndex = argv.indexOf('--render');
  const render = renderIndex >= 0 ? argv[renderIndex + 1] : undefined;
  const cpuProfileIndex = argv.indexOf('--cpu-prof');
  const cpuProfileDir = cpuProfileIndex >= 0 ? argv[cpuProfileIndex + 1] : undefined;
  const base = quick ? QUICK : FULL;
  const peerRunIndex = argv.indexOf('--peer-run-s');
  const peerRunS = peerRunIndex >= 0 ? Number(argv[peerRunIndex + 1]) : base.peer.runS;
  if (!(peerRunS > 0)) throw new Error('--peer-run-s wants a number of seconds');
  return {
    profile: { ...base, peer: { ...base.peer, runS: peerRunS } },
    out,
    build: !argv.includes('--no-build'),
    render,
    cpuProfileDir,
  };
}

/** The sections other commands wrote into the report (the fleet's), carried over. */
function withKeptSections(report: string, out: string): string {
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const fleet = extractSection(previous, FLEET_SECTION);
  if (!fleet) return report;
  const body = fleet.split('\n').slice(1, -1).join('\n');
  // Section 7 goes before the peer's (8) when the report has one.
  const peerHeading = new RegExp(`^## \\d+\\. ${PEER_TITLE}$`, 'm').exec(report)?.[0];
  return replaceSection(report, FLEET_SECTION, body, peerHeading ?? SECTION_BEFORE);
}

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const { profile, out, build, render, cpuProfileDir } = parseArgs(process.argv.slice(2));
  if (render) {
    // Only the report again, from a run's saved results, with the current NOTES.md.
    const saved = JSON.parse(readFileSync(render, 'utf8')) as BenchResults;
    saved.notes = existsSync(NOTES) ? readFileSync(NOTES, 'utf8') : '';
    writeFileSync(out, withKeptSections(renderReport(saved), out));
    log(`wrote ${out} from ${render}`);
    return;
  }
  const started = Date.now();
  const machine = describeMachine();
  const loadAtStart = loadavg();
  log(`${profile.mode} run on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}`);

  if (build) {
    log('building (tsc -p tsconfig.build.json)');
    if (!buildForBench()) log('tsc reported errors: using the JavaScript it emitted anyway');
  }
  const serverJs = join(ROOT, 'dist/src/entry/server.js');
  const directJs = join(ROOT, 'dist/scripts/bench/direct-server.js');
  const peerJs = join(ROOT, 'dist/scripts/bench/peer-server.js');
  for (const file of [serverJs, directJs, peerJs]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  }

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const stop of cleanups.splice(0).reverse()) {
      await stop().catch((error) => console.error(error));
    }
  };
  const onSignal = () => {
    log('interrupted: stopping every process the bench started');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(
      `starting DynamoDB Local (in memory), loading the dataset (${profile.dataset.products} products)`,
    );
    const bench = await startBenchTable(TABLE, profile.dataset);
    cleanups.push(() => bench.stop());
    const { local, dynamo, data } = bench;
    const localPid = local.process.pid ?? 0;
    log(`${data.totalItems} items in ${(data.loadMs / 1000).toFixed(1)} s`);

    const secrets = {
      jwtSecret: randomBytes(32).toString('hex'),
      cursorSecret: randomBytes(32).toString('hex'),
    };
    const gateway = inProcessGateway(
      dynamo,
      TABLE,
      local.endpoint,
      secrets,
      profile.dataset.orderStatusShards,
    );
    log('counting round trips of every contract operation');
    const roundTrips = await measureRoundTrips(gateway, data, secrets);
    const { plans, callsPerRequest } = await recordPlans(gateway, data, secrets);
    const work = mkdtempSync(join(tmpdir(), 'shop-bench-'));
    cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
    const plansFile = join(work, 'plans.json');
    writeFileSync(plansFile, JSON.stringify(plans));

    const gatewayEnv = (ttl: number, port: number) =>
      benchGatewayEnv({
        port,
        endpoint: local.endpoint,
        tableName: TABLE,
        secrets,
        responseCacheTtlSeconds: ttl,
        orderStatusShards: profile.dataset.orderStatusShards,
      });
    const nodeFlags = startNodeFlags();
    const start = async (label: string, script: string, env: Record<string, string>) => {
      const server = await startNodeServer({
        label,
        script,
        // The runtime flags of `npm start` for every server, the baseline included.
        nodeArgs: benchNodeArgs(label, cpuProfileDir),
        port: Number(env.PORT),
        env,
        healthPath: '/health',
      });
      cleanups.push(() => server.stop());
      return server;
    };
    log('starting the gateways, the direct-SDK baseline and the peer');
    const uncached = await start('gateway', serverJs, gatewayEnv(0, await freePort()));
    const cached = await start(
      'cached gateway',
      serverJs,
      gatewayEnv(profile.cacheTtlSeconds, await freePort()),
    );
    const direct = await start('direct SDK', directJs, {
      BENCH_PLANS: plansFile,
      DYNAMODB_ENDPOINT: local.endpoint,
      PORT: String(await freePort()),
    });
    const peer = await start(
      'peer',
      peerJs,
      benchPeerEnv({
        port: await freePort(),
        endpoint: local.endpoint,
        tableName: TABLE,
        jwtSecret: secrets.jwtSecret,
      }),
    );

    // Requests: the same bodies and headers for the gateway and the baseline.
    const variants = scenarioVariants(data);
    const ops = documentOperations();
    const tokens = await variantTokens(variants, secrets.jwtSecret);
    const requestsFor = (scenario: string, target: 'gateway' | 'direct'): LoadRequest[] =>
      scenarioRequests(scenario, {
        variants,
        documents: ops,
        tokens,
        ...(target === 'direct' ? { pathOf: (i: number) => `/${scenario}/${i}` } : {}),
      });
    for (const scenario of READ_SCENARIOS) {
      const servers: Array<[ChildServer, 'gateway' | 'direct']> = [
        [uncached, 'gateway'],
        [cached, 'gateway'],
      ];
      if (scenario !== 'Featured') servers.push([direct, 'direct']);
      servers.push([peer, 'gateway']);
      for (const [server, target] of servers) {
        const request = requestsFor(scenario, target)[0]!;
        const response = await fetch(`${server.origin}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        const text = await response.text();
        if (response.status !== 200 || text.includes('"errors"')) {
          throw new Error(`${scenario} on ${server.label}: HTTP ${response.status} ${text}`);
        }
      }
    }

    const cpuOf = (server: ChildServer) => ({
      server: server.pid,
      dynamodb: localPid,
      loadgen: process.pid,
    });
    const load = (
      server: ChildServer,
      requests: LoadRequest[] | ((n: number) => LoadRequest),
      durationS: number,
      extra: Partial<Parameters<typeof runLoad>[0]> = {},
    ) =>
      runLoad({
        origin: server.origin,
        connections: profile.connections,
        durationS,
        requests,
        cpuOf: cpuOf(server),
        ...extra,
      });

    // Warm-up: JIT, connection pools, DynamoDB Local's JVM. In rounds over the scenarios, with
    // the gateway's req/s in each round kept for the report: the gateway has far more code for
    // V8 to optimize than the baseline, so a short warm-up measures its warming, not its steady
    // state (scripts/bench/NOTES.md, change 29).
    log(
      `warm-up: ${profile.warmupRounds} round(s) of ${profile.warmupS} s per scenario and server`,
    );
    let warmupRequests = 0;
    const warmup: WarmupRound[] = [];
    for (let round = 0; round < profile.warmupRounds; round++) {
      const gatewayRps: Record<string, number> = {};
      for (const scenario of READ_SCENARIOS) {
        const warm = await load(uncached, requestsFor(scenario, 'gateway'), profile.warmupS);
        warmupRequests += warm.requests;
        gatewayRps[scenario] = warm.rps;
        if (scenario === 'Featured') {
          await load(cached, requestsFor(scenario, 'gateway'), profile.warmupS);
        } else {
          await load(direct, requestsFor(scenario, 'direct'), profile.warmupS);
        }
        // The peer too: otherwise its first operation in the peer section meets a cold process.
        await load(peer, requestsFor(scenario, 'gateway'), profile.warmupS);
      }
      warmup.push({ gatewayRps });
      log(
        `  round ${round + 1}: gateway ${Object.entries(gatewayRps)
          .map(([scenario, rps]) => `${scenario} ${rps.toFixed(0)}`)
          .join(', ')} req/s`,
      );
    }
    const afterWarmupBytes = rssBytes(uncached.pid);
    let served = 0;
    const samples: MemoryRun['samples'] = [];
    const sample = async (label: string) =>
      samples.push({ label, requests: served, ...(await memoryOf(uncached)) });
    await sample('after warm-up');

    const gatewayCalls = async () => metricsCalls(uncached.origin);
    const directCalls = async () => sumOf(await getJson(`${direct.origin}/stats`));
    const overhead: OverheadRow[] = [];
    for (const scenario of OVERHEAD_SCENARIOS) {
      const runGateway = async () => {
        const before = await gatewayCalls();
        const result = await load(uncached, requestsFor(scenario, 'gateway'), profile.pairS, {
          keepLatencies: true,
        });
        served += result.requests;
        return { result, calls: (await gatewayCalls()) - before };
      };
      const runDirect = async () => {
        const before = await directCalls();
        const result = await load(direct, requestsFor(scenario, 'direct'), profile.pairS, {
          keepLatencies: true,
        });
        return { result, calls: (await directCalls()) - before };
      };
      log(`gateway overhead: ${scenario}, ${profile.pairs} pairs of runs`);
      // Both sides warm again on this operation right before its pairs: the first pair of the
      // first operation otherwise met a JVM (DynamoDB Local) that had since run other queries,
      // and ran 20 to 35 % slower on both sides, most on the side that went first.
      served += (await load(uncached, requestsFor(scenario, 'gateway'), profile.warmupS)).requests;
      await load(direct, requestsFor(scenario, 'direct'), profile.warmupS);
      // Pairs of runs, alternating which side goes first (gateway first, then the baseline
      // first, ...), so that a drift or a burst of other work on the machine does not favour
      // one side; each side's runs are pooled (as in the peer section), since one pair standing
      // for the operation is as noisy as the machine, and every pair is reported.
      const pairs: OverheadRow['pairs'] = [];
      const gatewayRuns: Array<{ result: LoadResult; calls: number }> = [];
      const directRuns: Array<{ result: LoadResult; calls: number }> = [];
      for (let pair = 0; pair < profile.pairs; pair++) {
        let g: { result: LoadResult; calls: number };
        let d: { result: LoadResult; calls: number };
        if (pair % 2 === 0) {
          g = await runGateway();
          d = await runDirect();
        } else {
          d = await runDirect();
          g = await runGateway();
        }
        gatewayRuns.push(g);
        directRuns.push(d);
        pairs.push({
          gatewayP50: g.result.p50,
          directP50: d.result.p50,
          gatewayRps: g.result.rps,
          directRps: d.result.rps,
        });
        log(
          `  p50 ${g.result.p50.toFixed(2)} / ${d.result.p50.toFixed(2)} ms, ${g.result.rps.toFixed(0)} / ${d.result.rps.toFixed(0)} req/s`,
        );
      }
      // Calls per request over the side's runs: each run carries its count of calls.
      const pooled = (runs: Array<{ result: LoadResult; calls: number }>) => {
        const { latencies: _, ...result } = poolRuns(runs.map((r) => r.result));
        return { result, calls: runs.reduce((sum, r) => sum + r.calls, 0) / result.requests };
      };
      const gatewaySide = pooled(gatewayRuns);
      const directSide = pooled(directRuns);
      overhead.push({
        operation: scenario,
        gateway: gatewaySide.result,
        direct: directSide.result,
        gatewayCalls: gatewaySide.calls,
        directCalls: directSide.calls,
        recordedCalls: callsPerRequest[scenario] ?? Number.NaN,
        pairs,
      });
    }

    // The peer: the gateway against a hand-written Apollo Server, same requests, in turn.
    const peerResults = await measurePeer({
      gateway: uncached,
      peer,
      dynamodbPid: localPid,
      operations: ['ProductPage', 'CategoryPage', 'Featured', 'Me'],
      requestsFor: (scenario) => requestsFor(scenario, 'gateway'),
      gatewayCalls,
      peerCalls: async () => sumOf(await getJson(`${peer.origin}/stats`)),
      connections: profile.connections,
      ...profile.peer,
      log,
      onGatewayRequests: (n) => {
        served += n;
      },
    });

    log('cached against uncached Featured');
    const featuredUncached = await load(
      uncached,
      requestsFor('Featured', 'gateway'),
      profile.durationS,
    );
    served += featuredUncached.requests;
    await sample('after the overhead runs and Featured');
    const featuredCached = await load(
      cached,
      requestsFor('Featured', 'gateway'),
      profile.durationS,
    );
    log(`  ${featuredCached.rps.toFixed(0)} / ${featuredUncached.rps.toFixed(0)} req/s`);

    log('placeOrder under contention');
    const orders = await placeOrders(uncached, data, secrets.jwtSecret, profile, dynamo.doc);
    served += orders.load.requests;
    log(
      `  ${orders.load.rps.toFixed(0)} req/s, ${orders.success} orders, ${orders.outOfStock} out of stock, oversold: ${orders.noOversell ? 'none' : 'YES'}`,
    );

    await sample('after placeOrder');
    log(
      `memory: ${served} requests so far after warm-up, up to ${profile.memoryRequests} (mixed reads)`,
    );
    const mix = READ_SCENARIOS.flatMap((s) => requestsFor(s, 'gateway'));
    const chunk = Math.ceil(profile.memoryRequests / 10);
    const topUpEnds = Date.now() + profile.memoryMaxS * 1_000;
    while (served < profile.memoryRequests && Date.now() < topUpEnds) {
      const topUp = await runLoad({
        origin: uncached.origin,
        connections: profile.connections,
        amount: Math.min(chunk, profile.memoryRequests - served),
        maxS: Math.max(1, (topUpEnds - Date.now()) / 1_000),
        requests: mix,
      });
      served += topUp.requests;
      await sample('mixed reads');
      if (topUp.requests === 0) break;
    }
    const memory: MemoryRun = {
      warmupRequests,
      afterWarmupBytes,
      requests: served,
      afterBytes: rssBytes(uncached.pid),
      targetRequests: profile.memoryRequests,
      cachedGatewayBytes: rssBytes(cached.pid),
      directBytes: rssBytes(direct.pid),
      samples,
    };
    log(
      `  RSS ${(afterWarmupBytes / 2 ** 20).toFixed(1)} MB after warm-up, ${(memory.afterBytes / 2 ** 20).toFixed(1)} MB after ${served} requests`,
    );

    // The crowd row runs after the memory figures are read: a thousand requests at once grow
    // V8's heap for good (about 15 to 20 MB of heap total in quick runs), which would make the
    // growth figure measure that one burst, not what the gateway keeps per request served.
    log(
      `placeOrder crowd: ${profile.crowd.workers} workers for ${profile.durationS} s, then ${profile.crowd.orders} orders at once`,
    );
    const crowd = await crowdRow(uncached, dynamo.doc, secrets.jwtSecret, profile);
    for (const [label, phase] of [
      ['sustained', crowd.sustained],
      ['crowd', crowd.crowd],
    ] as const) {
      const k = phase.kinds;
      log(
        `  ${label}: ${phase.perSecond.toFixed(0)} orders/s, p50 ${phase.p50.toFixed(0)} ms, p99 ${phase.p99.toFixed(0)} ms; placed ${k.placed}, out of stock ${k['out-of-stock']}, shed ${k.shed}, unavailable ${k.unavailable}, unknown ${k.unknown}, other ${k.other}; false failures ${phase.falseFailures}`,
      );
    }
    log(`  goodput / sustained: ${(crowd.crowd.perSecond / crowd.sustained.perSecond).toFixed(3)}`);

    served += crowd.sustained.orders + crowd.crowd.orders;
    await sample('after the placeOrder crowd (not in the figures above)');

    const results: BenchResults = {
      mode: profile.mode,
      startedAt: new Date(started).toISOString(),
      totalSeconds: (Date.now() - started) / 1000,
      machine,
      method: {
        connections: profile.connections,
        durationS: profile.durationS,
        pairs: profile.pairs,
        pairS: profile.pairS,
        warmupS: profile.warmupS,
        warmupRounds: profile.warmupRounds,
        warmup,
        cacheTtlSeconds: profile.cacheTtlSeconds,
        orderConnections: profile.orderConnections,
        nodeFlags,
      },
      data,
      roundTrips,
      overhead,
      featured: { uncached: featuredUncached, cached: featuredCached },
      orders,
      crowd,
      memory,
      peer: peerResults,
      notes: existsSync(NOTES) ? readFileSync(NOTES, 'utf8') : '',
      load: { atStart: loadAtStart, atEnd: loadavg() },
    };
    await cleanup();
    writeFileSync(out, withKeptSections(renderReport(results), out));
    const saved = join(tmpdir(), `shop-bench-results-${profile.mode}.json`);
    writeFileSync(saved, JSON.stringify(results, null, 2));
    log(`results saved to ${saved} (npm run bench -- --render ${saved} rewrites the report)`);
    const list = targets(results);
    console.log('');
    for (const t of list) console.log(`${t.met ? 'met   ' : 'MISSED'}  ${t.figure}: ${t.measured}`);
    log(`${list.filter((t) => t.met).length}/${list.length} targets met; wrote ${out}`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Orders under contention, then the zero-oversell check against the table. */
async function placeOrders(
  gateway: ChildServer,
  data: BenchData,
  jwtSecret: string,
  profile: Profile,
  doc: ReturnType<typeof createDynamo>['doc'],
): Promise<OrderRun> {
  const op = documentOperations().get('PlaceOrder');
  if (!op) throw new Error('no PlaceOrder operation');
  const tokens = await Promise.all(
    data.buyers.map((sub) => signDevToken(jwtSecret, { sub, expiresIn: '2h' })),
  );
  const runId = Date.now().toString(36);
  const hot = data.hotProducts;
  const request = (n: number): LoadRequest => {
    const a = hot[n % hot.length]!;
    const b = hot[(n + 1) % hot.length]!;
    return {
      path: '/graphql',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${tokens[n % tokens.length]}`,
      },
      body: graphqlBody(op, {
        input: {
          idempotencyKey: `bench-${runId}-${n}`,
          lines: [
            { productId: a.gid, quantity: 1 },
            { productId: b.gid, quantity: 1 },
          ],
        },
      }),
    };
  };
  let success = 0;
  let outOfStock = 0;
  let other = 0;
  const result = await runLoad({
    origin: gateway.origin,
    connections: profile.orderConnections,
    durationS: profile.durationS,
    requests: request,
    cpuOf: { server: gateway.pid },
    onBody: (status, body) => {
      if (status === 200 && body.includes('"PlaceOrderSuccess"')) success++;
      else if (status === 200 && body.includes('"OutOfStockError"')) outOfStock++;
      else other++;
    },
  });

  // Requests still in flight when the load stopped finish on the server: wait (at most 30 s)
  // until the stock has not moved for a second, then read the orders, then the stock again.
  const readStock = async () =>
    Promise.all(
      hot.map(async (product) => {
        const output = await doc.send(
          new GetCommand({
            TableName: TABLE,
            Key: inventoryKey(product.id),
            ConsistentRead: true,
          }),
        );
        return Number(output.Item?.stock);
      }),
    );
  let stock = await readStock();
  for (let settled = 0, i = 0; settled < 2 && i < 60; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await readStock();
    settled = now.every((v, j) => v === stock[j]) ? settled + 1 : 0;
    stock = now;
  }

  // What the table says: the units in every buyer's orders, and the stock left.
  const ordered = new Map(hot.map((p) => [p.id, 0]));
  let ordersInDb = 0;
  for (const buyer of data.buyers) {
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 10_000; page++) {
      const output = await doc.send(
        new QueryCommand({
          TableName: TABLE,
          ...customerOrdersQuery(buyer).input,
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of output.Items ?? []) {
        ordersInDb++;
        for (const line of (item.lines ?? []) as Array<{ productId: string; quantity: number }>) {
          ordered.set(line.productId, (ordered.get(line.productId) ?? 0) + line.quantity);
        }
      }
      startKey = output.LastEvaluatedKey;
      if (!startKey) break;
    }
  }
  const after = await readStock();
  if (after.some((v, j) => v !== stock[j])) throw new Error('the stock still moves after the run');
  const products: OrderRun['products'] = hot.map((product, i) => ({
    name: `Limited edition ${i + 1}`,
    initial: product.stock,
    final: after[i] ?? Number.NaN,
    orderedInDb: ordered.get(product.id) ?? 0,
  }));
  const noOversell = products.every((p) => p.final >= 0 && p.initial - p.final === p.orderedInDb);
  return { load: result, success, outOfStock, other, products, ordersInDb, noOversell };
}

/**
 * The crowd row: the sustained placeOrder throughput of a closed loop of a few workers, then a
 * crowd of orders sent at once, each on a shop of its own and audited against the table.
 */
async function crowdRow(
  gateway: ChildServer,
  doc: ReturnType<typeof createDynamo>['doc'],
  jwtSecret: string,
  profile: Profile,
): Promise<CrowdRun> {
  const { workers, orders: crowdSize, customers, products, stock } = profile.crowd;
  const url = `${gateway.origin}/graphql`;
  const run = Date.now().toString(36);
  const shopOf = (prefix: string) =>
    prepareCrowdShop(doc, TABLE, { prefix, customers, products, stock, jwtSecret });
  const sustainedShop = await shopOf('bench-sustained');
  const crowdShop = await shopOf('bench-crowd');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

  // Sustained: each worker sends its next order when its answer comes, until the time is up.
  // Far more orders than the loop can send in the time (it stops early if they run out).
  const planned = crowdOrders(sustainedShop, profile.durationS * 2_000, 41, `${run}s`);
  const sustainedAnswers: CrowdAnswer[] = [];
  await settle();
  const sustainedStart = performance.now();
  const ends = sustainedStart + profile.durationS * 1_000;
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < ends && next < planned.length) {
        sustainedAnswers.push(await placeOrder(url, planned[next++] as CrowdOrder));
      }
    }),
  );
  const sustained = await phaseOf(doc, sustainedShop, sustainedAnswers, sustainedStart);

  // The crowd: every order at once.
  await settle();
  const crowdStart = performance.now();
  const crowdAnswers = await runCrowd(url, crowdOrders(crowdShop, crowdSize, 43, `${run}c`));
  const crowd = await phaseOf(doc, crowdShop, crowdAnswers, crowdStart);

  return {
    customers,
    products,
    stock,
    sustained: { ...sustained, workers, durationS: profile.durationS },
    crowd,
  };
}

/** The figures of one run of the crowd row, with the audit of its shop. */
async function phaseOf(
  doc: ReturnType<typeof createDynamo>['doc'],
  shop: CrowdShop,
  answers: CrowdAnswer[],
  started: number,
): Promise<CrowdPhase> {
  const audit = await auditCrowd(doc, TABLE, shop, answers);
  const last = answers.reduce((latest, a) => Math.max(latest, a.at), started);
  const seconds = (last - started) / 1_000;
  const answered = audit.answers.placed + audit.answers['out-of-stock'];
  const latencies = answers.map((a) => a.ms);
  return {
    orders: answers.length,
    seconds,
    answered,
    perSecond: seconds > 0 ? answered / seconds : Number.NaN,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.reduce((max, v) => Math.max(max, v), 0),
    kinds: audit.answers,
    ordersInTable: audit.ordersInTable,
    falseFailures: audit.falseFailures.length,
    placedButMissing: audit.placedButMissing.length,
    unknownButPlaced: audit.unknownButPlaced.length,
    stockViolations: audit.stockViolations.length,
    otherDetails: answers
      .filter((a) => a.kind === 'other')
      .slice(0, 5)
      .map((a) => `HTTP ${a.status}: ${a.detail ?? ''}`),
  };
}

/** RSS from /proc, and V8's heap as the gateway's own /metrics reports it. */
async function memoryOf(server: ChildServer) {
  const rss = rssBytes(server.pid);
  let heapUsed = Number.NaN;
  let heapTotal = Number.NaN;
  const response = await fetch(`${server.origin}/metrics`);
  if (response.status === 200) {
    const text = await response.text();
    const value = (name: string) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return Number(line?.split(' ').at(-1) ?? Number.NaN);
    };
    heapUsed = value('nodejs_heap_size_used_bytes');
    heapTotal = value('nodejs_heap_size_total_bytes');
  }
  return { rssBytes: rss, heapUsed, heapTotal };
}

async function getJson(url: string): Promise<Record<string, number>> {
  const response = await fetch(url);
  return (await response.json()) as Record<string, number>;
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** The gateway's own count of DynamoDB calls made by GraphQL requests (Prometheus /metrics). */
async function metricsCalls(origin: string): Promise<number> {
  const response = await fetch(`${origin}/metrics`);
  if (response.status !== 200) return Number.NaN;
  let sum = 0;
  let found = false;
  for (const line of (await response.text()).split('\n')) {
    const match = /^dynamodb_calls_total\{[^}]*\}\s+(\S+)/.exec(line);
    if (match?.[1]) {
      sum += Number(match[1]);
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
