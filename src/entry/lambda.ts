import { loadConfig } from '../app/config.js';
import { createApp } from '../app/create-app.js';
import { createLogger } from '../app/logger.js';
import { createShopPubSub } from '../events/pubsub.js';
import { createFleet } from '../fleet/fleet.js';
import {
  type APIGatewayProxyEventV2,
  type APIGatewayProxyStructuredResultV2,
  errorResult,
  type LambdaContext,
  toRequest,
  toResult,
} from '../http/lambda-adapter.js';
import { createDynamo } from '../store/client.js';

/**
 * AWS Lambda entry point behind an API Gateway HTTP API (payload format 2.0): the same app as
 * the container, called through `app.fetch`. Handler: `dist/src/entry/lambda.handler`.
 *
 * Configuration, logger, DynamoDB client and app are built once per cold start and reused by
 * every warm invocation. DynamoDB is DYNAMODB_ENDPOINT when set, else AWS (the function's role);
 * never an embedded DynamoDB Local, and no table is created: it comes from `npm run infra`.
 * A bad configuration fails the cold start with the ConfigError naming the variable.
 *
 * Subscriptions are refused (API Gateway buffers responses, so a stream would only end at the
 * function's timeout), and no stream reader runs here: with REDIS_URL the stream function
 * (src/entry/stream-lambda.ts) or the containers publish to the bus, and this function shares
 * the rate limits and catches up on the bus before each request, so its response cache is never
 * staler than a container's. Without REDIS_URL nothing would tell its cache about other
 * writers: the response cache is off.
 */

export type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, LambdaContext };

const loaded = loadConfig(process.env);
const config = loaded.redis ? loaded : { ...loaded, responseCacheTtlSeconds: 0 };
const logger = createLogger(config.logLevel);
for (const warning of config.warnings) logger.warn(warning);
const fleet = createFleet(config, logger, { mode: 'pull' });
const pubsub = createShopPubSub();
const dynamo = createDynamo({
  endpoint: config.dynamoEndpoint,
  region: config.region,
  localCredentials: config.dynamoLocalCredentials,
  timeouts: config.dynamoTimeouts,
  warn: (message) => logger.warn({ source: 'aws-sdk' }, message),
});
const app = createApp({
  config,
  logger,
  client: dynamo.client,
  doc: dynamo.doc,
  subscriptions: false,
  pubsub,
  fleet,
  catchUpBeforeRequests: config.redis !== undefined,
});
// The first invocation waits for Redis (bounded), so it counts its rate limit in the fleet.
const started = fleet.start(pubsub);
logger.info(
  {
    table: config.tableName,
    dynamodb: config.dynamoEndpoint ?? `AWS DynamoDB (${config.region})`,
    redis: config.redis ? 'on' : 'off (response cache off)',
  },
  'lambda cold start',
);

export async function handler(
  event: APIGatewayProxyEventV2,
  context: LambdaContext,
): Promise<APIGatewayProxyStructuredResultV2> {
  let request: Request;
  try {
    request = toRequest(event, context);
  } catch (error) {
    // Only a malformed event gets here (a header value fetch refuses, say).
    logger.warn({ err: error, requestId: event.requestContext?.requestId }, 'unusable event');
    return errorResult(400, 'Bad request', 'BAD_REQUEST');
  }
  await started;
  const response = await app.fetch(request);
  return toResult(response, request.method);
}
