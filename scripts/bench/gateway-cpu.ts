/**
 * The GraphQL layer's own CPU per request, without the SDK, the network or DynamoDB:
 * `npm run bench:cpu [-- --requests N] [--only ProductPage,Me]`.
 *
 * The real app (createApp, production settings) runs in this process. Its document client is a
 * replayer: each command is answered with the output DynamoDB Local gave for the same command
 * (recorded once, first; BatchGetItem item by item), on the next tick. Load is 10 requests at a
 * time through app.fetch; CPU time is process.cpuUsage() over the measured requests.
 * `--profile DIR` writes a CPU profile of each scenario's measured requests (open it in Chrome's
 * DevTools); BENCH_LOG_LEVEL=error shows the app's error log when a request fails. Figures are
 * for comparing two versions of the code on the same machine, one right after the other.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseAblations } from '../../src/app/ablation.js';
import { loadConfig } from '../../src/app/config.js';
import { createApp } from '../../src/app/create-app.js';
import { createLogger } from '../../src/app/logger.js';
import { scenarioRequests, variantTokens } from '../../src/dev/bench/requests.js';
import { scenarioVariants } from '../../src/dev/bench/roundtrips.js';
import { startBenchTable } from '../../src/dev/bench/setup.js';
import { documentOperations } from '../../src/dev/documents.js';

const TABLE = 'BenchCpu';
const CONCURRENCY = 10;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const requests = Number(argument('--requests') ?? 5_000);
  const only = argument('--only')?.split(',');
  const profileDir = argument('--profile');
  const bench = await startBenchTable(TABLE, {
    products: 200,
    meCustomers: 3,
    buyers: 0,
    hotStock: 10,
    orderStatusShards: 4,
  });
  const { local, dynamo, data } = bench;
  try {
    const secrets = {
      jwt: randomBytes(32).toString('hex'),
      cursor: randomBytes(32).toString('hex'),
    };
    const config = loadConfig({
      NODE_ENV: 'production',
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: local.endpoint,
      JWT_SECRET: secrets.jwt,
      CURSOR_SECRET: secrets.cursor,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MUTATIONS: '1000000',
      RESPONSE_CACHE_TTL_SECONDS: '0',
    });

    // Recording first (real DynamoDB Local), then replaying. BatchGetItem is answered item by
    // item (which keys travel together depends on timing); every other command by its input.
    const answers = new Map<string, string>();
    const items = new Map<string, string>();
    let replaying = false;
    type Command = { input: unknown; constructor: { name: string } };
    type Key = { PK: string; SK: string };
    type BatchInput = { RequestItems: Record<string, { Keys: Key[] }> };
    const itemKey = (key: Key) => `${key.PK}|${key.SK}`;
    const keyOf = (command: Command) =>
      `${command.constructor.name}${JSON.stringify(command.input)}`;
    const send = async (command: Command) => {
      const batch = command.constructor.name === 'BatchGetCommand';
      if (replaying) {
        await new Promise((resolve) => setImmediate(resolve));
        if (batch) {
          const Responses: Record<string, unknown[]> = {};
          for (const [table, { Keys }] of Object.entries(
            (command.input as BatchInput).RequestItems,
          )) {
            Responses[table] = Keys.flatMap((key) => {
              const item = items.get(itemKey(key));
              return item === undefined ? [] : [JSON.parse(item)];
            });
          }
          return { Responses, UnprocessedKeys: {} };
        }
        const answer = answers.get(keyOf(command));
        if (answer === undefined)
          throw new Error(`no recorded answer for ${keyOf(command).slice(0, 300)}`);
        return JSON.parse(answer);
      }
      const output = await dynamo.doc.send(command as never);
      if (batch) {
        for (const list of Object.values(
          (output as { Responses?: Record<string, Key[]> }).Responses ?? {},
        )) {
          for (const item of list) items.set(itemKey(item), JSON.stringify(item));
        }
      } else {
        answers.set(keyOf(command), JSON.stringify(output));
      }
      return output;
    };
    const doc = { send } as unknown as DynamoDBDocumentClient;
    const app = createApp({
      // `--ablate a,b`: features off (src/app/ablation.ts), to weigh them in this instrument too.
      ablate: parseAblations(argument('--ablate')),
      config,
      logger: createLogger((process.env.BENCH_LOG_LEVEL ?? 'silent') as 'silent'),
      client: dynamo.client,
      doc,
    });

    const ops = documentOperations();
    const variants = scenarioVariants(data);
    const tokens = await variantTokens(variants, secrets.jwt);
    const bodiesOf = (scenario: string) =>
      scenarioRequests(scenario, { variants, documents: ops, tokens }).map(({ body, headers }) => ({
        body,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      }));
    const fire = async (request: { body: string; headers: Record<string, string> }) => {
      const response = await app.fetch('http://bench/graphql', {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      const text = await response.text();
      if (response.status !== 200 || text.includes('"errors"')) {
        throw new Error(`request failed: ${response.status} ${text.slice(0, 500)}`);
      }
    };
    const run = async (
      list: Array<{ body: string; headers: Record<string, string> }>,
      n: number,
    ) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < n) {
            const i = next++;
            await fire(list[i % list.length]!);
          }
        }),
      );
    };

    const scenarios = (only ?? ['ProductPage', 'CategoryPage', 'Me', 'Featured']).filter(
      (name) => variants[name],
    );
    for (const scenario of scenarios) {
      replaying = false;
      const list = bodiesOf(scenario);
      for (const request of list) await fire(request);
      replaying = true;
      await run(list, Math.min(1_000, requests));
      const session = profileDir ? new Session() : undefined;
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const before = process.cpuUsage();
      const began = performance.now();
      await run(list, requests);
      const cpu = process.cpuUsage(before);
      const wall = performance.now() - began;
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(`${profileDir}/${scenario}.cpuprofile`, JSON.stringify(profile));
        session.disconnect();
      }
      console.log(
        `${scenario.padEnd(13)} ${((cpu.user + cpu.system) / 1_000 / requests).toFixed(3)} ms CPU/request` +
          ` (${requests} requests, ${(requests / (wall / 1_000)).toFixed(0)} req/s in one process)`,
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
