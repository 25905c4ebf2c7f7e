/**
 * What the bench commands (`npm run bench`, `bench:features`, `bench:cpu`) set up alike: the
 * build, an in-memory DynamoDB Local holding the bench's table and dataset, and the environment
 * of the gateway and of the peer they start.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createDynamo, type Dynamo, SETUP_TIMEOUTS } from '../../store/client.js';
import { ensureTable } from '../../store/table.js';
import { type LocalDynamo, startLocalDynamo } from '../dynamodb-local.js';
import { type BenchData, type DatasetOptions, loadBenchData } from './dataset.js';
import { ROOT, startNodeFlags } from './processes.js';

/** `tsc -p tsconfig.build.json` into dist/; false when it reported errors (it emits anyway). */
export function buildForBench(): boolean {
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  return tsc.status === 0;
}

/**
 * The Node flags of a server the bench starts: `npm start`'s runtime flags, and with a profile
 * directory, a V8 CPU profile of the process written there (`<label>.cpuprofile`) when it stops.
 */
export function benchNodeArgs(label: string, profileDir: string | undefined): string[] {
  return [
    ...startNodeFlags(),
    ...(profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${label}.cpuprofile`]
      : []),
  ];
}

export interface BenchTable {
  local: LocalDynamo;
  /** The bench's own client (loading, checks): patient, a busy machine is slow. */
  dynamo: Dynamo;
  data: BenchData;
  stop(): Promise<void>;
}

/** An in-memory DynamoDB Local with `tableName` created and the dataset loaded. */
export async function startBenchTable(
  tableName: string,
  dataset: DatasetOptions,
): Promise<BenchTable> {
  const local = await startLocalDynamo();
  const dynamo = createDynamo({
    endpoint: local.endpoint,
    region: 'us-east-1',
    localCredentials: true,
    timeouts: SETUP_TIMEOUTS,
  });
  const stop = async () => {
    dynamo.destroy();
    await local.stop();
  };
  try {
    await ensureTable(dynamo.client, tableName);
    const data = await loadBenchData(dynamo.doc, tableName, dataset);
    return { local, dynamo, data, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BenchSecrets {
  jwtSecret: string;
  cursorSecret: string;
}

/** The compiled gateway as the bench runs it: production, on 127.0.0.1, logging warnings only. */
export function benchGatewayEnv(options: {
  port: number;
  endpoint: string;
  tableName: string;
  secrets: BenchSecrets;
  responseCacheTtlSeconds: number;
  orderStatusShards: number;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DYNAMODB_ENDPOINT: options.endpoint,
    TABLE_NAME: options.tableName,
    JWT_SECRET: options.secrets.jwtSecret,
    CURSOR_SECRET: options.secrets.cursorSecret,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MUTATIONS: '1000000',
    RESPONSE_CACHE_TTL_SECONDS: String(options.responseCacheTtlSeconds),
    ORDER_STATUS_SHARDS: String(options.orderStatusShards),
  };
}

/** The hand-written peer (scripts/bench/peer-server.ts) on the same table and token secret. */
export function benchPeerEnv(options: {
  port: number;
  endpoint: string;
  tableName: string;
  jwtSecret: string;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DYNAMODB_ENDPOINT: options.endpoint,
    TABLE_NAME: options.tableName,
    JWT_SECRET: options.jwtSecret,
    PORT: String(options.port),
  };
}
