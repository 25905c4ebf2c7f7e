/**
 * AWS Lambda entry point for the table's DynamoDB Streams event source mapping
 * (ReportBatchItemFailures on): turns each record into the gateway's events and publishes them
 * to the Redis bus that every gateway process reads. Handler: `dist/src/entry/stream-lambda.handler`.
 *
 * It reads the stream and writes to Redis, nothing else: no table access, no secrets. REDIS_URL
 * is required; a cold start without it fails with the ConfigError naming it.
 */
import { ConfigError, loadConfig } from '../app/config.js';
import { createLogger } from '../app/logger.js';
import {
  createStreamHandler,
  type DynamoDBStreamEvent,
  type StreamBatchResponse,
} from '../events/stream-handler.js';
import { createFleet } from '../fleet/fleet.js';

export type { DynamoDBStreamEvent, StreamBatchResponse } from '../events/stream-handler.js';

const { REDIS_URL, REDIS_KEY_PREFIX, REDIS_STREAM_MAX_LENGTH, LOG_LEVEL } = process.env;
// Only what this function uses: the gateway's secrets are not its business.
const config = loadConfig({ REDIS_URL, REDIS_KEY_PREFIX, REDIS_STREAM_MAX_LENGTH, LOG_LEVEL });
if (!config.redis) {
  throw new ConfigError('Invalid configuration: the stream function requires REDIS_URL');
}
const logger = createLogger(config.logLevel);
const fleet = createFleet(config, logger, { mode: 'pull' });

const publish = createStreamHandler(fleet.bus, logger);

export async function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  await fleet.ready;
  return publish(event);
}
