import { createHash, timingSafeEqual } from 'node:crypto';
import { type DocumentNode, type ExecutionArgs, getOperationAST, Kind, parse } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Config } from '../app/config.js';
import { isSocketRequest } from '../http/websocket.js';
import type { RequestDb } from '../store/request-db.js';
import { createAppMetrics, type MetricSources } from './telemetry-metrics.js';

/** A request with `x-shop-cost: 1` gets `extensions.cost` in production too. */
const COST_HEADER = 'x-shop-cost';
const METRICS_PATH = '/metrics';

/** What a request cost in DynamoDB: calls per operation, and capacity units as DynamoDB reported them. */
export interface Cost {
  calls: Record<string, number>;
  totalCalls: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

function requestCost(db: RequestDb | undefined): Cost {
  const round = (units: number) => Math.round(units * 100) / 100;
  return {
    calls: Object.fromEntries(db?.calls ?? []),
    totalCalls: db?.totalCalls() ?? 0,
    readCapacityUnits: round(db?.capacity.read ?? 0),
    writeCapacityUnits: round(db?.capacity.write ?? 0),
  };
}

/** Operation names become label values only when they look like names, and only so many. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;
/** Paths outside this list share one label value: a scanner cannot grow the series count. */
const KNOWN_PATHS = new Set(['/graphql', '/health', '/ready', METRICS_PATH]);
const KNOWN_METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);
const knownPath = (path: string) => (KNOWN_PATHS.has(path) ? path : 'other');

interface Operation {
  type: string;
  name: string | undefined;
}

interface RequestState {
  started: number;
  /** The path's label value, from the URL yoga parsed. */
  path?: string;
  params?: GraphQLParams;
  operation?: Operation;
}

/**
 * Cost telemetry and Prometheus metrics for one app: `extensions.cost` on GraphQL results
 * (always outside production; in production when the request sends `x-shop-cost: 1`), and
 * `GET /metrics` (src/plugins/telemetry-metrics.ts). With `metricsToken`, /metrics asks
 * for `Authorization: Bearer <token>`.
 */
export function useTelemetry(
  config: Pick<Config, 'isProduction' | 'metricsToken'>,
  sources: MetricSources = {},
): Plugin {
  const { registry, graphqlDuration, graphqlRequests, httpDuration, addCalls } =
    createAppMetrics(sources);

  const requests = new WeakMap<Request, RequestState>();
  const names = new Set<string>();
  const nameLabel = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (!names.has(name)) {
      if (names.size >= MAX_OPERATION_NAMES) return 'other';
      names.add(name);
    }
    return name;
  };

  const count = (
    operation: Operation,
    result: unknown,
    db: RequestDb | undefined,
    started: number | undefined,
  ) => {
    if (db) addCalls(db);
    const failed =
      typeof result === 'object' &&
      result !== null &&
      !isAsyncIterable(result) &&
      !Array.isArray(result) &&
      ((result as { errors?: unknown[] }).errors?.length ?? 0) > 0;
    const labels = {
      operation_type: operation.type,
      operation_name: nameLabel(operation.name),
      outcome: failed ? 'error' : 'ok',
    };
    graphqlRequests.inc(labels);
    if (started !== undefined)
      graphqlDuration.observe(labels, (performance.now() - started) / 1000);
  };

  /** For an operation over graphql-ws: what counts it once it has its result. */
  const socketOperation = (args: ExecutionArgs) => {
    const context = args.contextValue as { request?: Request; db?: RequestDb } | undefined;
    if (!context?.request || !isSocketRequest(context.request)) return undefined;
    const started = performance.now();
    const operation = describeOperation(args.document, {
      operationName: args.operationName ?? undefined,
    } as GraphQLParams);
    return (result: unknown) => count(operation, result, context.db, started);
  };

  const expected = config.metricsToken ? sha256(config.metricsToken) : undefined;
  const metricsResponse = async (request: Request): Promise<Response> => {
    if (request.method !== 'GET') {
      return new Response('Method Not Allowed\n', { status: 405, headers: { allow: 'GET' } });
    }
    if (expected) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      // Digests of equal length: the comparison takes the same time whatever the token.
      if (!timingSafeEqual(sha256(given ?? ''), expected)) {
        return new Response('Unauthorized\n', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="metrics"' },
        });
      }
    }
    return new Response(await registry.metrics(), {
      headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
    });
  };

  return {
    instrumentation: {
      // Around every plugin's hooks, yoga's own (health, CORS preflight) included.
      request({ request }, wrapped) {
        requests.set(request, { started: performance.now() });
        return wrapped();
      },
    },

    // Synchronous but for /metrics: an async hook would make every request's onRequest chain
    // wait a microtask turn per remaining hook.
    onRequest({ request, url, endResponse }) {
      const state = requests.get(request);
      if (state) state.path = knownPath(url.pathname);
      if (url.pathname === METRICS_PATH) return metricsResponse(request).then(endResponse);
      return undefined;
    },

    onParams({ request, params }) {
      const state = requests.get(request);
      if (state) state.params = params;
    },

    onParse() {
      return ({ context, result }) => {
        const { request, params } = context as { request?: Request; params?: GraphQLParams };
        const state = request && requests.get(request);
        if (state) state.operation = describeOperation(isDocument(result) ? result : null, params);
      };
    },

    onExecutionResult({ request, result, setResult, context }) {
      const state = requests.get(request);
      // The context exists once the operation validated; a refused one cost nothing.
      const db = (context as { db?: RequestDb }).db;
      if (!config.isProduction || request.headers.get(COST_HEADER) === '1') {
        if (result && !isAsyncIterable(result) && !Array.isArray(result)) {
          setResult({ ...result, extensions: { ...result.extensions, cost: requestCost(db) } });
        }
      }
      // Not parsed: a plugin answered from its params (a response cache hit, of a query that
      // parsed and validated when it was cached).
      const operation = state?.operation ?? describeOperation(null, state?.params, true);
      count(operation, result, db, state?.started);
    },

    // Yoga's onExecutionResult runs on its HTTP pipeline only: an operation over graphql-ws
    // (src/http/websocket.ts) is counted from envelop's own hooks, with the same labels.
    onExecute({ args }) {
      const done = socketOperation(args);
      return done && { onExecuteDone: ({ result }) => done(result) };
    },
    onSubscribe({ args }) {
      const done = socketOperation(args);
      return done && { onSubscribeResult: ({ result }) => done(result) };
    },

    onResponse({ request, response }) {
      const state = requests.get(request);
      if (!state) return;
      httpDuration.observe(
        {
          method: KNOWN_METHODS.has(request.method) ? request.method : 'other',
          // Set in onRequest; a response from before it (a CORS preflight, /health) parses the URL.
          path: state.path ?? knownPath(new URL(request.url, 'http://localhost').pathname),
          status: String(response.status),
        },
        (performance.now() - state.started) / 1000,
      );
    },
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The operation's type and name; `parseQuery` parses the params' query when no document is given. */
function describeOperation(
  document: DocumentNode | null,
  params: GraphQLParams | undefined,
  parseQuery = false,
): Operation {
  let doc = document;
  if (!doc && parseQuery && typeof params?.query === 'string') {
    try {
      doc = parse(params.query, { noLocation: true });
    } catch {
      doc = null;
    }
  }
  const operation = doc && getOperationAST(doc, params?.operationName);
  return {
    type: operation?.operation ?? 'unknown',
    name: operation?.name?.value ?? params?.operationName ?? undefined,
  };
}

function isDocument(value: unknown): value is DocumentNode {
  return (
    typeof value === 'object' && value !== null && (value as DocumentNode).kind === Kind.DOCUMENT
  );
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return Symbol.asyncIterator in value;
}
