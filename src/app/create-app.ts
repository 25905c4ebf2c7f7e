import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin } from 'graphql-yoga';
import { maskRequestError } from '../errors/to-graphql.js';
import { createShopPubSub, type ShopPubSub } from '../events/pubsub.js';
import type { StreamReaderStats } from '../events/stream-reader.js';
import { createFleet, type Fleet } from '../fleet/fleet.js';
import { corsOptions } from '../http/cors.js';
import { useBadRequestStatus } from '../plugins/use-bad-request-status.js';
import { useBodyLimit } from '../plugins/use-body-limit.js';
import { useBusCatchUp } from '../plugins/use-bus-catch-up.js';
import { useCallReport } from '../plugins/use-call-report.js';
import { useErrorMasking } from '../plugins/use-error-masking.js';
import { useGraphqlJit } from '../plugins/use-graphql-jit.js';
import { useHttpCaching } from '../plugins/use-http-caching.js';
import { useHttpRefusals } from '../plugins/use-http-refusals.js';
import { useMultipartSubscriptions } from '../plugins/use-multipart-subscriptions.js';
import { useMutationRateLimit } from '../plugins/use-mutation-rate-limit.js';
import { useNoSubscriptions } from '../plugins/use-no-subscriptions.js';
import { useOverload } from '../plugins/use-overload.js';
import { usePersistedQueries } from '../plugins/use-persisted-operations.js';
import { usePublicResponseCache } from '../plugins/use-public-response-cache.js';
import { useQueryLimits } from '../plugins/use-query-limits.js';
import { useReadiness } from '../plugins/use-readiness.js';
import { useRequestErrorCode } from '../plugins/use-request-error-code.js';
import { useRequestId } from '../plugins/use-request-id.js';
import { useSseSingleConnection } from '../plugins/use-sse-single-connection.js';
import { useTelemetry } from '../plugins/use-telemetry.js';
import { useWriteInvalidation } from '../plugins/use-write-invalidation.js';
import { schema } from '../schema/index.js';
import { Admission } from '../store/admission.js';
import type { Ablation, Ablations } from './ablation.js';
import type { Config } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { graphiqlOptions } from './graphiql.js';
import { type Logger, yogaLogging } from './logger.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Called with each finished request's DynamoDB calls (tests and the benchmark count them). */
  onRequestDone?: (calls: Record<string, number>, requestId: string) => void;
  /** false where responses cannot stream (AWS Lambda behind API Gateway). */
  subscriptions?: boolean;
  /** Where stream events arrive (src/events); a private one when not given. */
  pubsub?: ShopPubSub;
  /**
   * The processes' shared parts: the bus, the rate limits and this process's response cache of
   * public reads. This process alone when not given.
   */
  fleet?: Fleet;
  /** Catch up on the bus before each request (a Lambda, which gets no messages while frozen). */
  catchUpBeforeRequests?: boolean;
  /** What /ready and /metrics say of the stream reader. */
  streamReaderStats?: () => StreamReaderStats;
  /** Aborted at graceful shutdown: open subscriptions complete. */
  shutdown?: AbortSignal;
  /** The process's bound on DynamoDB calls in flight; one from the configuration when not given. */
  admission?: Admission;
  /** What /metrics says of graphql-ws: the sockets open now (attached after the app exists). */
  webSocketsOpen?: () => number;
  /** The benchmark's features switched off (src/app/ablation.ts); none anywhere else. */
  ablate?: Ablations;
}

/** The admission control the configuration asks for (one per process: every app shares it). */
export const admissionFor = (config: Config): Admission =>
  new Admission({
    maxInFlight: config.admission.maxInFlight,
    maxQueue: config.admission.maxQueue,
  });

/**
 * The yoga app: the one place that puts plugins, context and schema together. The plugins run
 * in this order on every request; each is one file of src/plugins.
 */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const pubsub = deps.pubsub ?? createShopPubSub();
  const fleet = deps.fleet ?? createFleet({ redis: undefined }, logger);
  const admission = deps.admission ?? admissionFor(config);
  const requestIds = useRequestId(logger);
  const jit = config.executor === 'jit' ? useGraphqlJit() : undefined;
  const ablate = deps.ablate ?? new Set();
  // biome-ignore lint/suspicious/noExplicitAny: each plugin keeps its own context type
  const on = (feature: Ablation, plugin: () => Plugin<any>): Plugin<any>[] =>
    ablate.has(feature) ? [] : [plugin()];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    // One operation per request: HTTP batching would multiply every limit.
    batching: false,
    // useBodyLimit checks the declared length; yoga's own limit would pipe every body through
    // a TransformStream to count it again.
    maxRequestBodySize: false,
    cors: corsOptions(config),
    healthCheckEndpoint: '/health',
    landingPage: false,
    ...graphiqlOptions(config),
    logging: yogaLogging(logger),
    maskedErrors: { maskError: maskRequestError(logger) },
    context: createContextFactory({
      signCursors: !ablate.has('cursor-mac'),
      config,
      logger,
      doc: deps.doc,
      admission,
      pubsub,
      requestIds,
      shutdown: deps.shutdown,
    }),
    plugins: [
      ...(jit ? [jit] : []),
      requestIds,
      ...(deps.catchUpBeforeRequests ? [useBusCatchUp(fleet, logger)] : []),
      ...on('telemetry', () =>
        useTelemetry(config, {
          compiledOperations: jit?.compilations,
          compiledRuns: jit?.compiledRuns,
          admission: () => admission.stats(),
          fleet: () => fleet.status(),
          ...(deps.streamReaderStats
            ? { streamLeasesHeld: () => deps.streamReaderStats?.().leasesHeld ?? 0 }
            : {}),
          ...(deps.webSocketsOpen ? { webSocketsOpen: deps.webSocketsOpen } : {}),
        }),
      ),
      useOverload(admission, { graphqlPath: '/graphql', deadlineMs: config.admission.deadlineMs }),
      useBodyLimit(config.maxBodyBytes),
      useHttpRefusals(),
      ...on('subscription-transports', () => useMultipartSubscriptions()),
      // graphql-sse's single-connection mode; yoga serves the distinct-connections mode itself.
      ...(deps.subscriptions === false
        ? []
        : on('subscription-transports', () =>
            useSseSingleConnection({ graphqlPath: '/graphql', shutdown: deps.shutdown }),
          )),
      useBadRequestStatus('/graphql'),
      ...on('http-caching', () =>
        useHttpCaching({
          graphqlPath: '/graphql',
          ttlSeconds: config.responseCacheTtlSeconds,
          corsPerOrigin: config.corsOrigins.length > 0,
        }),
      ),
      useRequestErrorCode(),
      ...(ablate.has('persisted-queries')
        ? []
        : usePersistedQueries({
            store: fleet.operations,
            trusted: config.trustedDocuments,
            apq: config.persistedQueries.enabled,
          })),
      ...(ablate.has('query-limits') ? [] : useQueryLimits(config, logger)),
      useMutationRateLimit(config, fleet.rateLimits),
      ...(config.isProduction
        ? [useDisableIntrospection(), blockFieldSuggestionsPlugin() as Plugin]
        : []),
      ...on('error-masking', () => useErrorMasking(logger)),
      ...(deps.onRequestDone ? [useCallReport(deps.onRequestDone)] : []),
      useWriteInvalidation(fleet, logger),
      ...usePublicResponseCache(fleet.cache, config),
      ...(deps.subscriptions === false ? [useNoSubscriptions()] : []),
      useReadiness(deps.client, config.tableName, logger, {
        fleet: () => fleet.status(),
        ...(deps.streamReaderStats ? { streamReader: deps.streamReaderStats } : {}),
      }),
    ],
  });
}

export type App = ReturnType<typeof createApp>;
