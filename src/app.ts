import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Cache,
  createInMemoryCache,
  hashSHA256,
  useResponseCache,
} from '@graphql-yoga/plugin-response-cache';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type ValidationRule,
} from 'graphql';
import { createGraphQLError, createYoga, type Plugin } from 'graphql-yoga';
import { bearerToken, createTokenVerifier } from './auth/tokens.js';
import type { Viewer } from './auth/viewer.js';
import type { Config } from './config.js';
import { Admission } from './dynamo/admission.js';
import { CursorCodec } from './dynamo/cursor.js';
import { RequestDb } from './dynamo/request-db.js';
import { ClientError } from './errors.js';
import { staleEntitiesForKeys } from './events/live.js';
import { createShopPubSub, type ShopPubSub } from './events/pubsub.js';
import { INTERNAL_ERROR_MESSAGE, toClientError } from './graphql-errors.js';
import { type CompiledQuery, compileQuery, isCompiledQuery } from './graphql-jit.js';
import type { Logger } from './logger.js';
import { overloadPlugin } from './overload.js';
import { createRepositories } from './repositories/index.js';
import type { Context } from './schema/builder.js';
import { schema } from './schema/index.js';
import { listedOriginsOnly, securityPlugins } from './security.js';
import { telemetryPlugin } from './telemetry.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Called with each finished request's DynamoDB calls (tests and the benchmark count them). */
  onRequestDone?: (calls: Record<string, number>, requestId: string) => void;
  /**
   * false where responses cannot stream (AWS Lambda behind API Gateway): a subscription then
   * gets a clear error at once instead of holding a response open until the function times out.
   */
  subscriptions?: boolean;
  /** Where stream events arrive (src/events); a private one when not given. */
  pubsub?: ShopPubSub;
  /** The response cache of public reads; a new in-memory one when not given. */
  cache?: Cache;
  /** Aborted at graceful shutdown: open subscriptions complete. */
  shutdown?: AbortSignal;
  /** The process's bound on DynamoDB calls in flight; one from the configuration when not given. */
  admission?: Admission;
}

export const SUBSCRIPTIONS_UNAVAILABLE =
  'Subscriptions are not available on this deployment: it cannot stream responses. Subscribe through the container deployment.';

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Builds the yoga app: the only place that wires plugins, context and schema together. */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const cursors = new CursorCodec(config.cursorSecret);
  const verifyToken = createTokenVerifier(config.jwt);
  const requestIds = new WeakMap<Request, string>();
  const pubsub = deps.pubsub ?? createShopPubSub();
  const cache = deps.cache ?? createInMemoryCache({ max: 10_000 });
  const admission =
    deps.admission ??
    new Admission({
      maxInFlight: config.admission.maxInFlight,
      maxQueue: config.admission.maxQueue,
    });

  const started = new WeakMap<Request, number>();
  /** A request id for every request (the client's, if well-formed), and one access log line. */
  const requestIdPlugin: Plugin = {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      requestIds.set(request, given && REQUEST_ID.test(given) ? given : randomUUID());
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const id = requestIds.get(request);
      if (id) response.headers.set('x-request-id', id);
      if (logger.isLevelEnabled('info')) {
        const began = started.get(request);
        logger.info(
          {
            requestId: id,
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            ms: began === undefined ? undefined : Math.round(performance.now() - began),
          },
          'request',
        );
      }
    },
  };

  /** Masks unexpected errors (code + request id for the client, the cause in the log). */
  const maskErrors = (result: ExecutionResult, context: Context): ExecutionResult | undefined => {
    if (!result.errors?.length) return undefined;
    // An HTTP status from an error (503 for an unreachable database) describes the whole
    // response only when nothing was answered; a partial result stays 200.
    const partial = Object.values(result.data ?? {}).some((value) => value !== null);
    return {
      ...result,
      errors: result.errors.map((error) => {
        const report = toClientError(error, context.requestId);
        if (partial && report.error.extensions.http) {
          const { http: _status, ...extensions } = report.error.extensions;
          report.error = new GraphQLError(report.error.message, {
            nodes: report.error.nodes,
            path: report.error.path,
            extensions,
          });
        }
        if (report.cause !== undefined) {
          logger.error(
            { err: report.cause, requestId: context.requestId, path: error.path },
            'unexpected error in a resolver',
          );
        }
        return report.error;
      }),
    };
  };

  /**
   * After each execution: unexpected errors masked (code + request id for the client, the cause
   * in the log); the request's DynamoDB calls reported to `onRequestDone`; and a mutation's own
   * writes invalidate cached public reads before its response is sent. One hook for the three:
   * every hook is a step of envelop's per-request orchestration.
   */
  const { onRequestDone } = deps;
  const executionPlugin: Plugin<Context> = {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        onExecuteDone({ result, setResult }) {
          if ('errors' in result) {
            const masked = maskErrors(result as ExecutionResult, context);
            if (masked) setResult(masked);
          }
          onRequestDone?.(Object.fromEntries(context.db.calls), context.requestId);
          const written = context.db.writes;
          if (written.length === 0) return;
          const stale = staleEntitiesForKeys(written);
          if (stale.length > 0) return cache.invalidate(stale);
        },
      };
    },
    // Subscriptions: the error of subscribing, and every event's result.
    onSubscribe({ args }) {
      const context = args.contextValue as Context;
      return {
        onSubscribeResult({ result, setResult }) {
          if ('errors' in result) {
            const masked = maskErrors(result as ExecutionResult, context);
            if (masked) setResult(masked);
            return;
          }
          return {
            onNext({ result: next, setResult: setNext }) {
              const masked = maskErrors(next as ExecutionResult, context);
              if (masked) setNext(masked);
            },
          };
        },
      };
    },
  };

  /**
   * Refuses any subscription operation at validation, before anything starts: one error result
   * (HTTP 400 under application/graphql-response+json; under text/event-stream, one event and
   * the end of the stream).
   */
  const refuseSubscriptions: ValidationRule = (validation) => ({
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      validation.reportError(
        new GraphQLError(SUBSCRIPTIONS_UNAVAILABLE, {
          nodes: [node],
          extensions: { code: 'SUBSCRIPTIONS_UNAVAILABLE' },
        }),
      );
    },
  });
  const noSubscriptionsPlugin: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(refuseSubscriptions);
    },
  };

  const jit = config.executor === 'jit' ? jitQueriesAndMutations() : undefined;
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    // One operation per request: HTTP batching would multiply every limit below.
    batching: false,
    // The body limit is bodyLimitPlugin's (src/security.ts): a POST must declare its length,
    // at most MAX_BODY_BYTES, and Node's HTTP parser never delivers more than declared. Yoga's
    // own limit would pipe every body through a TransformStream (~4% of a request's CPU).
    maxRequestBodySize: false,
    cors:
      config.corsOrigins.length === 0
        ? false
        : listedOriginsOnly(config.corsOrigins, {
            methods: ['GET', 'POST'],
            allowedHeaders: [
              'content-type',
              'authorization',
              'x-request-id',
              'accept',
              'x-shop-cost',
            ],
            exposedHeaders: ['x-request-id'],
            credentials: false,
            maxAge: 600,
          }),
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.isProduction ? false : { title: 'Shop gateway', defaultQuery: GRAPHIQL_QUERY },
    // GraphiQL with its JS and CSS inlined (9 MB, imported on first use): yoga's default page
    // loads them from unpkg.com, which a machine without internet cannot reach.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    // Yoga logs a few debug lines per request: its words are joined only for a level pino writes.
    logging: {
      debug: (...args) => yogaLog(logger, 'debug', args),
      info: (...args) => yogaLog(logger, 'info', args),
      warn: (...args) => yogaLog(logger, 'warn', args),
      error: (...args) => yogaLog(logger, 'error', args),
    },
    // Execution errors are masked by errorPlugin, which knows the request id. Yoga's masking
    // only sees what escapes execution: GraphQL errors pass, anything else is masked and logged.
    maskedErrors: {
      maskError: (error, message) => {
        if (error instanceof GraphQLError) {
          // Execution errors (they have a path) are mapped by errorPlugin, with the request id.
          if (error.path) return error;
          // Yoga's own request errors (invalid JSON, say) carry the parser's exception in
          // `extensions.originalError`: keep the message and code, drop the internals. In place,
          // because yoga logs every error that maskError replaces, and a client's bad JSON is
          // not worth an error line.
          if ('originalError' in error.extensions && !Object.isFrozen(error.extensions)) {
            delete (error.extensions as Record<string, unknown>).originalError;
          }
          if (
            !('originalError' in error.extensions) &&
            (!error.originalError || error.originalError instanceof GraphQLError)
          ) {
            return error;
          }
          // An error caused by another exception: the same message and code, without it.
          const { originalError: _dropped, ...extensions } = error.extensions;
          return createGraphQLError(error.message, {
            nodes: error.nodes,
            path: error.path,
            extensions,
          });
        }
        logger.error({ err: error }, 'unexpected error outside execution');
        return createGraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    // Built without a promise when there is no token (most catalog reads): an async factory
    // would put a promise and a microtask turn into every request's path.
    context: ({ request }): Context | Promise<Context> => {
      const requestId = requestIds.get(request) ?? randomUUID();
      const build = (viewer: Viewer | null): Context => {
        const db = new RequestDb({
          doc: deps.doc,
          tableName: config.tableName,
          admission,
          deadlineMs: config.admission.deadlineMs,
          startedAt: started.get(request),
        });
        return {
          requestId,
          viewer,
          db,
          repos: createRepositories(db, cursors, { orderStatusShards: config.orderStatusShards }),
          cursors,
          pubsub,
          shutdown: deps.shutdown,
        };
      };
      const refuse = (error: unknown): never => {
        if (error instanceof ClientError) {
          throw createGraphQLError(error.message, {
            extensions: { code: error.code, http: { status: error.httpStatus ?? 400 } },
          });
        }
        // A JWKS endpoint that cannot be reached, for example: not the client's fault.
        logger.error({ err: error, requestId }, 'could not authenticate the request');
        throw createGraphQLError(INTERNAL_ERROR_MESSAGE, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, http: { status: 500 } },
        });
      };
      let token: string | null;
      try {
        token = bearerToken(request.headers.get('authorization'));
      } catch (error) {
        return refuse(error);
      }
      if (!token) return build(null);
      return verifyToken(token).then(build, refuse);
    },
    plugins: [
      ...(jit ? [jit] : []),
      requestIdPlugin,
      telemetryPlugin(config, {
        compiledOperations: jit?.compilations,
        admission: () => admission.stats(),
      }),
      overloadPlugin(admission, {
        graphqlPath: '/graphql',
        deadlineMs: config.admission.deadlineMs,
      }),
      ...securityPlugins(config, logger, schema),
      executionPlugin,
      // Public catalog reads: anonymous requests only (nothing private can be in them), kept
      // for RESPONSE_CACHE_TTL_SECONDS, invalidated by our mutations' results and by the stream.
      // Not installed at all when the TTL is 0: the plugin hashes every request's document and
      // variables (SHA-256) before it asks `enabled`, which cost ~5% of the CPU of a request.
      ...(config.responseCacheTtlSeconds > 0
        ? [
            useResponseCache<Context>({
              cache,
              session: () => null,
              enabled: (request) => !request.headers.get('authorization'),
              // Only a request that may be cached needs a key (see above).
              buildResponseCacheKey: ({
                request,
                documentString,
                operationName,
                variableValues,
              }) =>
                request.headers.get('authorization')
                  ? 'not-cached'
                  : hashSHA256(
                      `${documentString}|${operationName ?? ''}|${JSON.stringify(variableValues ?? {})}`,
                    ),
              ttl: config.responseCacheTtlSeconds * 1_000,
              // Orders and profiles are never public; stated anyway, should that ever change.
              ttlPerSchemaCoordinate: { Order: 0, Cart: 0 },
              includeExtensionMetadata: !config.isProduction,
            }),
          ]
        : []),
      ...(deps.subscriptions === false ? [noSubscriptionsPlugin] : []),
      readinessPlugin(async () => {
        // Not ready while the table cannot be described; the cause goes to the log, not the client.
        try {
          const { Table } = await deps.client.send(
            new DescribeTableCommand({ TableName: config.tableName }),
          );
          return Table?.TableStatus === 'ACTIVE' || Table?.TableStatus === 'UPDATING';
        } catch (error) {
          logger.warn({ err: error }, 'readiness check failed');
          return false;
        }
      }),
    ],
  });
}

export type App = ReturnType<typeof createApp>;

function yogaLog(logger: Logger, level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]) {
  if (logger.isLevelEnabled(level)) logger[level](args.map(String).join(' '));
}

/**
 * `GET /ready`: 200 when `check` says so, 503 otherwise. Yoga's useReadinessCheck does the same,
 * but matches every request's URL against a URLPattern (a polyfill on Node 20), about 2 % of a
 * catalog read's CPU; an exact path is all this endpoint needs.
 */
function readinessPlugin(check: () => Promise<boolean>): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      return check().then((ready) =>
        endResponse(new fetchAPI.Response(null, { status: ready ? 200 : 503 })),
      );
    },
  };
}

/**
 * Queries and mutations run on graphql-jit (compiled once per document and operation, kept as
 * long as yoga's parse cache keeps the document): about a quarter less CPU per request than
 * graphql-js' executor (scripts/bench/NOTES.md). Resolvers, Pothos' wrappers (auth, errors as
 * data, dataloaders) and the schema are the same, and test/integration/executor.test.ts holds the
 * two to the same answers (graphql-jit may order a response's keys differently where fragments
 * and @skip/@include mix; the values are the same).
 * Two cases stay on graphql-js: subscriptions, and variables that do not coerce to their types
 * (graphql-jit refuses those before running anything, with its own wording; graphql-js then
 * runs the same request and gives its error: a 400 with BAD_USER_INPUT, naming the variable).
 * @envelop/graphql-jit could only choose before running, by coercing every request's variables
 * once more (about 2 % of a request's CPU).
 */
function jitQueriesAndMutations(): Plugin & { compilations: () => number } {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  let compilations = 0;
  const compile = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName?: string | null,
  ) => {
    let byOperation = compiled.get(document);
    if (!byOperation) {
      byOperation = new Map();
      compiled.set(document, byOperation);
    }
    const key = operationName ?? '';
    let query = byOperation.get(key);
    if (query === undefined) {
      const operation = getOperationAST(document, operationName);
      const compilable = operation != null && operation.operation !== 'subscription';
      if (compilable) compilations++;
      const result = compilable ? compileQuery(schema, document, operationName ?? undefined) : null;
      // Not compiled (a subscription, or something graphql-jit cannot compile): graphql-js runs it.
      query = result && isCompiledQuery(result) ? result : null;
      byOperation.set(key, query);
    }
    return query;
  };
  return {
    compilations: () => compilations,
    onExecute({ executeFn, setExecuteFn }) {
      // Compiled for the document it is called with: a later plugin may run another one (the
      // response cache adds the fields it identifies entities by).
      setExecuteFn((execution) => {
        const query = compile(execution.schema, execution.document, execution.operationName);
        if (!query) return executeFn(execution);
        const result = query.query(
          execution.rootValue,
          execution.contextValue,
          execution.variableValues,
        );
        // Refused before execution (variables that do not coerce): graphql-js' own answer.
        if (!isPromiseLike(result) && !('data' in result)) return executeFn(execution);
        return result;
      });
    },
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T>)?.then === 'function';
}

const GRAPHIQL_QUERY = `# Welcome to the shop gateway. Try the catalog:
query Categories {
  categories { id slug name productCount }
}
`;
