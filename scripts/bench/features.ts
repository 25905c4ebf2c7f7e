/**
 * `npm run bench:features [-- --ops Featured,CategoryPage] [--features cursor-mac,telemetry]
 * [--run-s 6] [--rounds 3] [--no-build] [--out FILE] [--cpu-prof DIR] [--also LABEL=SCRIPT]
 * [--direct]`: what each feature costs.
 *
 * The compiled gateway as `npm run bench` runs it (production, response cache off), the same
 * gateway once per feature with that one feature switched off (scripts/bench/gateway-ablated.ts),
 * and the hand-written peer (scripts/bench/peer-server.ts), all on one in-memory DynamoDB Local
 * with the bench's dataset. Per operation, every server is loaded in turn for `--run-s`, the
 * order rotating each round, and its CPU per request is read from /proc; each figure is the
 * median of the rounds. `--direct` adds the direct-SDK baseline of `npm run bench`
 * (scripts/bench/direct-server.ts, replaying the gateway's recorded calls). Writes a Markdown
 * table (default test-results/features.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ABLATIONS, type Ablation } from '../../src/app/ablation.js';
import { type ChildServer, ROOT, startNodeServer } from '../../src/dev/bench/processes.js';
import { scenarioRequests, variantTokens } from '../../src/dev/bench/requests.js';
import { inProcessGateway, recordPlans, scenarioVariants } from '../../src/dev/bench/roundtrips.js';
import {
  benchGatewayEnv,
  benchNodeArgs,
  benchPeerEnv,
  buildForBench,
  startBenchTable,
} from '../../src/dev/bench/setup.js';
import { documentOperations } from '../../src/dev/documents.js';
import { freePort } from '../../src/dev/dynamodb-local.js';
import { type LoadRequest, runLoad } from './load.js';

const TABLE = 'BenchFeatures';
const CONNECTIONS = 10;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Figures {
  serverCpuMs: number[];
  dynamodbCpuMs: number[];
  rps: number[];
}

async function main(): Promise<void> {
  const ops = (argument('--ops') ?? 'ProductPage,CategoryPage,Featured,Me').split(',');
  const listed = argument('--features');
  const features = (
    listed === undefined ? [...ABLATIONS] : listed.split(',').filter(Boolean)
  ) as Ablation[];
  const runS = Number(argument('--run-s') ?? 6);
  const rounds = Number(argument('--rounds') ?? 3);
  const out = argument('--out') ?? join(ROOT, 'test-results/features.md');
  // A V8 CPU profile of every server, written when it stops (open them in Chrome's DevTools).
  const profileDir = argument('--cpu-prof');
  if (!process.argv.includes('--no-build') && !buildForBench()) throw new Error('tsc failed');

  const stops: Array<() => Promise<void>> = [];
  try {
    const bench = await startBenchTable(TABLE, {
      products: 1_000,
      meCustomers: 5,
      buyers: 0,
      hotStock: 10,
      orderStatusShards: 4,
    });
    stops.push(() => bench.stop());
    const { local, data } = bench;
    const secrets = {
      jwtSecret: randomBytes(32).toString('hex'),
      cursorSecret: randomBytes(32).toString('hex'),
    };
    const direct = process.argv.includes('--direct');
    // As `npm run bench` runs it, response cache off; BENCH_ABLATE names the feature switched off.
    const gatewayEnv = (port: number, ablate = ''): Record<string, string> => ({
      ...benchGatewayEnv({
        port,
        endpoint: local.endpoint,
        tableName: TABLE,
        secrets,
        responseCacheTtlSeconds: 0,
        orderStatusShards: 4,
      }),
      ...(ablate ? { BENCH_ABLATE: ablate } : {}),
    });
    const start = async (label: string, script: string, env: Record<string, string>) => {
      const server = await startNodeServer({
        label,
        script: script.startsWith('/') ? script : join(ROOT, script),
        nodeArgs: benchNodeArgs(label, profileDir),
        port: Number(env.PORT),
        env,
        healthPath: '/health',
      });
      stops.push(() => server.stop());
      return server;
    };
    const servers: ChildServer[] = [
      await start('gateway', 'dist/src/entry/server.js', gatewayEnv(await freePort())),
    ];
    for (const feature of features) {
      servers.push(
        await start(
          `without ${feature}`,
          'dist/scripts/bench/gateway-ablated.js',
          gatewayEnv(await freePort(), feature),
        ),
      );
    }
    // `--also LABEL=SCRIPT`: another build of the gateway (another commit's dist), side by side.
    const also = argument('--also');
    if (also) {
      const [label, script] = also.split('=') as [string, string];
      servers.push(await start(label, script, gatewayEnv(await freePort())));
    }
    if (direct) {
      const gateway = inProcessGateway(bench.dynamo, TABLE, local.endpoint, secrets, 4);
      const { plans } = await recordPlans(gateway, data, secrets);
      const work = mkdtempSync(join(tmpdir(), 'shop-features-'));
      stops.push(async () => rmSync(work, { recursive: true, force: true }));
      const plansFile = join(work, 'plans.json');
      writeFileSync(plansFile, JSON.stringify(plans));
      servers.push(
        await start('direct SDK', 'dist/scripts/bench/direct-server.js', {
          BENCH_PLANS: plansFile,
          DYNAMODB_ENDPOINT: local.endpoint,
          PORT: String(await freePort()),
        }),
      );
    }
    servers.push(
      await start(
        'peer',
        'dist/scripts/bench/peer-server.js',
        benchPeerEnv({
          port: await freePort(),
          endpoint: local.endpoint,
          tableName: TABLE,
          jwtSecret: secrets.jwtSecret,
        }),
      ),
    );

    const variants = scenarioVariants(data);
    const documents = documentOperations();
    const tokens = await variantTokens(variants, secrets.jwtSecret);
    const requestsFor = (op: string, server: ChildServer): LoadRequest[] =>
      scenarioRequests(op, {
        variants,
        documents,
        tokens,
        ...(server.label === 'direct SDK' ? { pathOf: (i: number) => `/${op}/${i}` } : {}),
      });

    const results = new Map<string, Map<string, Figures>>();
    for (const op of ops) {
      const requests = new Map(servers.map((server) => [server, requestsFor(op, server)]));
      const byServer = new Map<string, Figures>();
      results.set(op, byServer);
      for (const server of servers) {
        const warm = await runLoad({
          origin: server.origin,
          connections: CONNECTIONS,
          durationS: 2,
          requests: requests.get(server)!,
        });
        if (warm.failures + warm.errors > 0) {
          throw new Error(`${op} on ${server.label}: ${warm.failures + warm.errors} failures`);
        }
        byServer.set(server.label, { serverCpuMs: [], dynamodbCpuMs: [], rps: [] });
      }
      for (let round = 0; round < rounds; round++) {
        const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
        if (round % 2 === 1) order.reverse();
        for (const server of order) {
          const result = await runLoad({
            origin: server.origin,
            connections: CONNECTIONS,
            durationS: runS,
            requests: requests.get(server)!,
            cpuOf: { server: server.pid, dynamodb: local.process.pid ?? 0 },
          });
          const figures = byServer.get(server.label)!;
          figures.serverCpuMs.push(result.cpuPerRequest.server ?? Number.NaN);
          figures.dynamodbCpuMs.push(result.cpuPerRequest.dynamodb ?? Number.NaN);
          figures.rps.push(result.rps);
        }
        console.log(`${op}: round ${round + 1} of ${rounds}`);
      }
    }

    const lines = [
      `Written by \`npm run bench:features\` on ${new Date().toISOString()}: ${rounds} rounds of ${runS} s per server and operation, ${CONNECTIONS} connections, medians.`,
      '',
      '| Operation | Server | CPU ms/request | vs all features on | DynamoDB Local CPU ms/request | req/s |',
      '|---|---|---|---|---|---|',
    ];
    for (const [op, byServer] of results) {
      const base = median(byServer.get('gateway')!.serverCpuMs);
      for (const [label, figures] of byServer) {
        const cpu = median(figures.serverCpuMs);
        const saved =
          label === 'gateway' ? '' : `${(cpu - base >= 0 ? '+' : '') + (cpu - base).toFixed(3)} ms`;
        lines.push(
          `| ${op} | ${label} | ${cpu.toFixed(3)} | ${saved} | ${median(figures.dynamodbCpuMs).toFixed(3)} | ${median(figures.rps).toFixed(0)} |`,
        );
      }
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
