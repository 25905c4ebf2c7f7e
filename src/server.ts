import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createInMemoryCache } from '@graphql-yoga/plugin-response-cache';
import { createApp } from './app.js';
import { signDevToken } from './auth/tokens.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createDynamo } from './dynamo/client.js';
import { resolveEndpoint } from './dynamo/endpoint.js';
import { keys } from './dynamo/keys.js';
import { JavaMissingError } from './dynamo/local.js';
import { ensureTable } from './dynamo/table.js';
import { createLiveEvents, createStreamsClient, invalidateCacheOnEvents } from './events/live.js';
import { createShopPubSub } from './events/pubsub.js';
import { serveWithJsonBody } from './http-body.js';
import { createLogger, type Logger } from './logger.js';

const SHUTDOWN_GRACE_MS = 10_000;
const STARTUP_WAIT_MS = 30_000;

/** The only file that reads the environment and listens. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  let resolved: Awaited<ReturnType<typeof resolveEndpoint>>;
  try {
    resolved = await resolveEndpoint(config, { announce: true });
  } catch (error) {
    if (error instanceof JavaMissingError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const dynamo = createDynamo({
    endpoint: resolved.endpoint,
    region: config.region,
    localCredentials: resolved.localCredentials,
    connectionTimeoutMs: config.dynamoTimeouts.connectTimeoutMs,
    requestTimeoutMs: config.dynamoTimeouts.requestTimeoutMs,
    maxAttempts: config.dynamoTimeouts.maxAttempts,
  });

  let stopping = false;
  const stopLocal = async () => {
    await resolved.local?.stop();
  };
  // Preparing the table (creating it, loading the sample in large batches) is not a request:
  // a client of its own with a generous timeout, so a slow machine does not fail the start.
  const setup = createDynamo({
    endpoint: resolved.endpoint,
    region: config.region,
    localCredentials: resolved.localCredentials,
    connectionTimeoutMs: config.dynamoTimeouts.connectTimeoutMs,
    requestTimeoutMs: 30_000,
  });
  try {
    const created = await retryWhileUnreachable(
      () => ensureTable(setup.client, config.tableName),
      logger,
    );
    logger.info({ table: config.tableName, created, dynamodb: resolved.describe }, 'table ready');
    if (resolved.local || created) await loadSampleDataIfEmpty(config, setup.doc, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'could not prepare the table');
    await stopLocal();
    process.exit(1);
  } finally {
    setup.destroy();
  }

  const pubsub = createShopPubSub();
  const cache = createInMemoryCache({ max: 10_000 });
  const stopping$ = new AbortController();
  const app = createApp({
    config,
    logger,
    client: dynamo.client,
    doc: dynamo.doc,
    pubsub,
    cache,
    shutdown: stopping$.signal,
  });
  // Subscriptions and cache freshness come from the table's stream, whoever writes.
  const streams = createStreamsClient({
    endpoint: resolved.endpoint,
    region: config.region,
    localCredentials: resolved.localCredentials,
  });
  const reader = createLiveEvents({
    streams,
    dynamo: dynamo.client,
    tableName: config.tableName,
    logger,
    pubsub,
    maxIdlePollIntervalMs: config.streamMaxIdlePollMs,
  });
  const stopInvalidation = invalidateCacheOnEvents(pubsub, cache, logger);
  try {
    await reader.start();
  } catch (error) {
    // Without the stream the API still serves; subscriptions stay silent and the cache
    // relies on its TTL. Worth a loud warning, not an outage.
    logger.error({ err: error }, 'could not start the stream reader: no live events');
  }
  // Draining: a request that arrives on a kept-alive connection after the signal gets 503 and
  // `Connection: close` (a load balancer retries it elsewhere); a response still in flight
  // closes its connection once sent, so no connection outlives the drain.
  const inFlight = new Set<ServerResponse>();
  const serve = serveWithJsonBody(app, config.maxBodyBytes);
  const server = createServer((request, response) => {
    if (stopping) {
      response.writeHead(503, {
        connection: 'close',
        'retry-after': '1',
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ errors: [{ message: 'The server is shutting down' }] }));
      return;
    }
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (stopping) server.closeIdleConnections();
    });
    serve(request, response);
  });
  server.keepAliveTimeout = 65_000;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal, inFlight: inFlight.size }, 'shutting down: draining requests');
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    // Open subscriptions complete, so their SSE responses end; in-flight requests finish.
    stopping$.abort();
    server.closeIdleConnections();
    await closed;
    logger.info({ ms: Date.now() - started }, 'drained');
    clearTimeout(force);
    stopInvalidation();
    await reader.stop();
    streams.destroy();
    await stopLocal();
    dynamo.destroy();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled rejection'),
  );

  server.listen(config.port, config.host, async () => {
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}/graphql`;
    logger.info({ url, dynamodb: resolved.describe }, 'gateway listening');
    if (!config.isProduction) await printWelcome(config, url);
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

async function loadSampleDataIfEmpty(
  config: Config,
  doc: ReturnType<typeof createDynamo>['doc'],
  logger: Logger,
): Promise<void> {
  // "Empty" means no catalog: one Query of the categories partition, never a Scan.
  const probe = await doc.send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.categoriesPartition() },
      Limit: 1,
    }),
  );
  if ((probe.Items?.length ?? 0) > 0) return;
  const { loadSampleData, SAMPLE_PRODUCTS } = await import('./sample/catalog.js');
  const started = Date.now();
  const counts = await loadSampleData(doc, config.tableName, { products: SAMPLE_PRODUCTS });
  logger.info({ counts, ms: Date.now() - started }, 'loaded the sample catalog');
}

async function printWelcome(config: Config, url: string): Promise<void> {
  const lines = [``, `  GraphiQL:  ${url}`, ``];
  if (config.jwt.kind === 'secret') {
    const { DEMO_ADMIN_ID, DEMO_CUSTOMER_ID } = await import('./sample/catalog.js');
    const options = { issuer: config.jwt.issuer, audience: config.jwt.audience };
    const customer = await signDevToken(config.jwt.secret, { sub: DEMO_CUSTOMER_ID, ...options });
    const admin = await signDevToken(config.jwt.secret, {
      sub: DEMO_ADMIN_ID,
      admin: true,
      ...options,
    });
    lines.push(
      `  Paste into GraphiQL's Headers tab (valid 12 h):`,
      `  demo customer: { "Authorization": "Bearer ${customer}" }`,
      `  admin:         { "Authorization": "Bearer ${admin}" }`,
      ``,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
