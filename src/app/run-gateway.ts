import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createLiveEvents, createStreamsClient } from '../events/live.js';
import { createShopPubSub } from '../events/pubsub.js';
import { createFleet } from '../fleet/fleet.js';
import { createNodeServer } from '../http/node-server.js';
import { attachGraphqlWs, type GraphqlWs } from '../http/websocket.js';
import { overloadCheck } from '../plugins/use-overload.js';
import { createDynamo, type Dynamo, SETUP_TIMEOUTS } from '../store/client.js';
import { ensureTable } from '../store/table.js';
import type { Ablations } from './ablation.js';
import type { Config } from './config.js';
import { admissionFor, createApp } from './create-app.js';
import type { Logger } from './logger.js';

const SHUTDOWN_GRACE_MS = 10_000;
const STARTUP_WAIT_MS = 30_000;

/** Where this process finds DynamoDB. */
export interface DynamoTarget {
  /** undefined: AWS DynamoDB with the default credential chain. */
  endpoint: string | undefined;
  localCredentials: boolean;
  describe: string;
}

/** The DynamoDB the configuration names: DYNAMODB_ENDPOINT, or else AWS with the default chain. */
export function configuredTarget(config: Config): DynamoTarget {
  return {
    endpoint: config.dynamoEndpoint,
    localCredentials: config.dynamoEndpoint ? config.dynamoLocalCredentials : false,
    describe: config.dynamoEndpoint ?? `AWS DynamoDB (${config.region})`,
  };
}

export interface GatewayHooks {
  /** After the table is ready, before the server listens (the dev start loads its sample here). */
  onTableReady?: (setup: Dynamo, created: boolean) => Promise<void>;
  /** Once the server listens, with its GraphQL URL. */
  onListening?: (url: string) => Promise<void> | void;
  /** The last step of shutdown, and of a failed start (the dev start stops DynamoDB Local). */
  onStopped?: () => Promise<void>;
  /** The benchmark's features switched off (src/app/ablation.ts); no entry point passes any. */
  ablate?: Ablations;
}

/**
 * The gateway as a long-running Node process: prepares the table, serves the app on node:http,
 * reads the table's stream for subscriptions and cache freshness, and on SIGINT or SIGTERM
 * drains requests and stops cleanly.
 */
export async function runGateway(
  config: Config,
  logger: Logger,
  target: DynamoTarget,
  hooks: GatewayHooks = {},
): Promise<void> {
  const ablate = hooks.ablate ?? new Set();
  const dynamo = createDynamo({
    endpoint: target.endpoint,
    region: config.region,
    localCredentials: target.localCredentials,
    timeouts: config.dynamoTimeouts,
    warn: (message) => logger.warn({ source: 'aws-sdk' }, message),
    reportCapacity: !ablate.has('consumed-capacity'),
  });
  const stopped = async () => {
    await hooks.onStopped?.();
  };
  // Preparing the table (creating it, loading a sample in large batches) is not a request: a
  // client of its own with a generous timeout, so a slow machine does not fail the start.
  const setup = createDynamo({
    endpoint: target.endpoint,
    region: config.region,
    localCredentials: target.localCredentials,
    timeouts: { ...SETUP_TIMEOUTS, connectTimeoutMs: config.dynamoTimeouts.connectTimeoutMs },
  });
  try {
    const created = await retryWhileUnreachable(
      () => ensureTable(setup.client, config.tableName),
      logger,
    );
    logger.info({ table: config.tableName, created, dynamodb: target.describe }, 'table ready');
    await hooks.onTableReady?.(setup, created);
  } catch (error) {
    logger.fatal({ err: error }, 'could not prepare the table');
    await stopped();
    process.exit(1);
  } finally {
    setup.destroy();
  }

  const pubsub = createShopPubSub();
  const fleet = createFleet(config, logger);
  const stopping = new AbortController();
  // Subscriptions and cache freshness come from the table's stream, whoever writes, through
  // the bus: this process alone, or with REDIS_URL the fleet, where one process reads each
  // shard while it holds the shard's lease in the table.
  const streams = createStreamsClient({
    endpoint: target.endpoint,
    region: config.region,
    localCredentials: target.localCredentials,
    warn: (message) => logger.warn({ source: 'aws-sdk' }, message),
  });
  const reader = createLiveEvents({
    streams,
    dynamo: dynamo.client,
    tableName: config.tableName,
    logger,
    bus: fleet.bus,
    ...(config.redis
      ? {
          leases: {
            doc: dynamo.doc,
            owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
            leaseDurationMs: config.streamLeaseMs,
          },
        }
      : {}),
    maxIdlePollIntervalMs: config.streamMaxIdlePollMs,
  });
  // Shared by the app (useOverload) and graphql-ws, which sheds by the same check.
  const admission = admissionFor(config);
  let sockets: GraphqlWs | undefined;
  const app = createApp({
    ablate,
    admission,
    webSocketsOpen: () => sockets?.open() ?? 0,
    config,
    logger,
    client: dynamo.client,
    doc: dynamo.doc,
    pubsub,
    fleet,
    shutdown: stopping.signal,
    streamReaderStats: () => reader.stats(),
  });
  await fleet.start(pubsub);
  try {
    if (!ablate.has('stream-reader')) await reader.start();
  } catch (error) {
    // Without the stream the API still serves; subscriptions stay silent and the cache
    // relies on its TTL. Worth a loud warning, not an outage.
    logger.error({ err: error }, 'could not start the stream reader: no live events');
  }
  const node = createNodeServer(app, { maxBodyBytes: config.maxBodyBytes });
  const graphqlWs = attachGraphqlWs(node.server, app, {
    maxBodyBytes: config.maxBodyBytes,
    maxSubscriptions: config.wsMaxSubscriptions,
    overloaded: overloadCheck(admission, config.admission.deadlineMs),
  });
  sockets = graphqlWs;

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const started = Date.now();
    logger.info({ signal, inFlight: node.inFlight() }, 'shutting down: draining requests');
    const drained = node.drain(SHUTDOWN_GRACE_MS);
    // Open subscriptions complete, so their SSE responses end and their sockets close;
    // in-flight requests finish.
    stopping.abort();
    await graphqlWs.close();
    await drained;
    logger.info({ ms: Date.now() - started }, 'drained');
    // The reader hands its leases over (after a last checkpoint) before the bus closes.
    await reader.stop();
    await fleet.stop();
    streams.destroy();
    await stopped();
    dynamo.destroy();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled rejection'),
  );

  node.server.listen(config.port, config.host, async () => {
    const { port } = node.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}/graphql`;
    logger.info({ url, dynamodb: target.describe }, 'gateway listening');
    await hooks.onListening?.(url);
  });
}

/** A DynamoDB that starts next to us (compose) may take a few seconds to accept connections. */
async function retryWhileUnreachable<T>(fn: () => Promise<T>, logger: Logger): Promise<T> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
      const unreachable =
        /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|TimeoutError|socket hang up/i.test(
          `${code} ${(error as Error).message}`,
        );
      if (!unreachable || Date.now() > deadline) throw error;
      logger.warn({ attempt, reason: code }, 'DynamoDB is not reachable yet: retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 200 * attempt)));
    }
  }
}
