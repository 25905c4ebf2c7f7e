/**
 * `npm run db:seed -- --products N [--seed S] [--concurrency C]`: loads a generated sample catalog
 * into the configured table (DYNAMODB_ENDPOINT, the running `npm start`'s DynamoDB Local, or an
 * embedded one this script starts and stops), with a progress bar on stderr.
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { ConfigError, loadConfig } from '../src/app/config.js';
import { type ResolvedEndpoint, resolveEndpoint } from '../src/dev/endpoint.js';
import {
  DEFAULT_SAMPLE_SEED,
  loadSampleData,
  SAMPLE_PRODUCTS,
  SampleDataConflictError,
} from '../src/dev/sample/catalog.js';
import { createDynamo, type Dynamo, SETUP_TIMEOUTS } from '../src/store/client.js';
import { ensureTable } from '../src/store/table.js';

const USAGE = `Usage: npm run db:seed -- [--products N] [--seed S] [--concurrency C] [--if-empty]
  --products N     products to generate, 1..1000000 (default ${SAMPLE_PRODUCTS})
  --seed S         PRNG seed, 0..4294967295: the same seed gives the same catalog (default ${DEFAULT_SAMPLE_SEED})
  --concurrency C  BatchWriteItem calls in flight, 1..64 (default 8)
  --if-empty       a table that has a catalog already is left as it is, with exit code 0`;

class UsageError extends Error {}

function integerArg(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
) {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function parse(argv: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        products: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        'if-empty': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const str = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    help: values.help === true,
    ifEmpty: values['if-empty'] === true,
    products: integerArg('products', str('products'), 1, 1_000_000, SAMPLE_PRODUCTS),
    seed: integerArg('seed', str('seed'), 0, 0xffff_ffff, DEFAULT_SAMPLE_SEED),
    concurrency: integerArg('concurrency', str('concurrency'), 1, 64, 8),
  };
}

/** A bar on a terminal; in a log (CI, a pipe) one line per tenth instead of control characters. */
function progressReporter(total: number) {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: 'seeding [{bar}] {percentage}% | {value}/{total} items | {duration_formatted}',
      hideCursor: true,
    });
    bar.start(total, 0);
    return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
  }
  let nextTenth = 1;
  return {
    update(n: number) {
      while (nextTenth <= 10 && n >= (total * nextTenth) / 10) {
        process.stderr.write(`seeding: ${nextTenth * 10}% (${n}/${total} items)\n`);
        nextTenth++;
      }
    },
    stop() {},
  };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`db:seed: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`db:seed: ${error.message}\n`);
    return 1;
  }

  let resolved: ResolvedEndpoint | undefined;
  let dynamo: Dynamo | undefined;
  let progress: { update(n: number): void; stop(): void } | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      progress?.stop();
      dynamo?.destroy();
      await resolved?.local?.stop();
    })();
    return cleaning;
  };
  // Ctrl-C must not leave an embedded DynamoDB Local (a Java process) running behind us.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\ndb:seed: ${signal}, stopping (the table keeps what was written)\n`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    resolved = await resolveEndpoint(config, { reuseRunning: true });
    dynamo = createDynamo({
      endpoint: resolved.endpoint,
      region: config.region,
      localCredentials: resolved.localCredentials,
      timeouts: SETUP_TIMEOUTS,
    });
    process.stderr.write(`db:seed: ${resolved.describe}, table ${config.tableName}\n`);
    await ensureTable(dynamo.client, config.tableName);

    const started = performance.now();
    let total = 0;
    const counts = await loadSampleData(dynamo.doc, config.tableName, {
      products: args.products,
      seed: args.seed,
      concurrency: args.concurrency,
      onProgress(written, all) {
        if (!progress) {
          total = all;
          progress = progressReporter(all);
        }
        progress.update(written);
      },
    });
    progress?.stop();
    const seconds = (performance.now() - started) / 1_000;
    total ||= Object.values(counts).reduce((sum, n) => sum + n, 0);

    const width = Math.max(...Object.keys(counts).map((k) => k.length));
    const lines = Object.entries(counts).map(([entity, n]) => `  ${entity.padEnd(width)}  ${n}`);
    process.stdout.write(
      `Seeded ${args.products} products (seed ${args.seed}) into ${config.tableName}:\n` +
        `${lines.join('\n')}\n` +
        `${total} items in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} items/s)\n`,
    );
    return 0;
  } catch (error) {
    progress?.stop();
    if (error instanceof SampleDataConflictError) {
      if (args.ifEmpty) {
        process.stdout.write(`Table ${config.tableName} has a catalog already: nothing loaded\n`);
        return 0;
      }
      process.stderr.write(`db:seed: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `db:seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
