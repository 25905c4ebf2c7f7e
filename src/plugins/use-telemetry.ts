import { createHash, timingSafeEqual } from 'node:crypto';
import { type DocumentNode, getOperationAST, Kind, parse } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../app/config.js';
import type { AdmissionStats } from '../store/admission.js';
import type { RequestDb } from '../store/request-db.js';

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

let processRegistry: Registry | undefined;
/** CPU, memory, event loop, GC: one set per process (each set starts its own monitors). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

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
 * `GET /metrics` from a registry of this app's own (plus the process metrics), so that apps
 * in one process, such as tests, do not share counters. With `metricsToken`, /metrics asks
 * for `Authorization: Bearer <token>`.
 */
export function useTelemetry(
  config: Pick<Config, 'isProduction' | 'metricsToken'>,
  sources: {
    /** Operations the executor has compiled so far (graphql-jit), read when /metrics is. */
    compiledOperations?: () => number;
    /** Executions answered by a compiled query (graphql-jit), read when /metrics is. */
    compiledRuns?: () => number;
    /** Admission control's figures (src/store/admission.ts), read when /metrics is. */
    admission?: () => AdmissionStats;
  } = {},
): Plugin {
  const appRegistry = new Registry();
  const operationLabels = ['operation_type', 'operation_name', 'outcome'] as const;
  const graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to its result, in seconds',
    labelNames: operationLabels,
    registers: [appRegistry],
  });
  const graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests, by operation and outcome (error: the result has errors)',
    labelNames: operationLabels,
    registers: [appRegistry],
  });
  // Added up in plain maps on the request path and handed to prom-client when /metrics is read:
  // a prom-client update validates and hashes its labels each time.
  const callsByOperation = new Map<string, number>();
  const capacityUsed = { read: 0, write: 0 };
  new Counter({
    name: 'dynamodb_calls_total',
    help: 'DynamoDB calls made by GraphQL requests, by operation',
    labelNames: ['operation'],
    registers: [appRegistry],
    collect() {
      this.reset();
      for (const [operation, count] of callsByOperation) this.inc({ operation }, count);
    },
  });
  new Counter({
    name: 'dynamodb_consumed_capacity_units_total',
    help: 'Capacity units that DynamoDB reported as consumed by GraphQL requests',
    labelNames: ['kind'],
    registers: [appRegistry],
    collect() {
      this.reset();
      this.inc({ kind: 'read' }, capacityUsed.read);
      this.inc({ kind: 'write' }, capacityUsed.write);
    },
  });
  const { compiledOperations } = sources;
  if (compiledOperations) {
    new Counter({
      name: 'graphql_jit_compilations_total',
      help: 'Operations compiled by graphql-jit: once per document and operation name while the parse cache keeps the document. A count that keeps rising under the same operations means each request compiles again',
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(compiledOperations());
      },
    });
  }
  const { compiledRuns } = sources;
  if (compiledRuns) {
    new Counter({
      name: 'graphql_jit_executions_total',
      help: 'Query and mutation executions answered by a query graphql-jit compiled (the rest ran on graphql-js)',
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(compiledRuns());
      },
    });
  }
  const { admission } = sources;
  if (admission) {
    new Gauge({
      name: 'dynamodb_calls_in_flight',
      help: 'DynamoDB calls of GraphQL requests on the wire now (at most DYNAMODB_MAX_IN_FLIGHT)',
      registers: [appRegistry],
      collect() {
        this.set(admission().inFlight);
      },
    });
    new Gauge({
      name: 'dynamodb_calls_queued',
      help: 'DynamoDB calls waiting for admission now',
      registers: [appRegistry],
      collect() {
        this.set(admission().queued);
      },
    });
    new Counter({
      name: 'dynamodb_calls_shed_total',
      help: 'DynamoDB calls refused before they were sent: the queue was full, or they could not start before their request deadline',
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(admission().shed);
      },
    });
    new Counter({
      name: 'dynamodb_admission_wait_seconds_total',
      help: 'Time admitted DynamoDB calls spent waiting for admission, in seconds (with dynamodb_admission_waits_total: the mean wait)',
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(admission().waitedMs / 1_000);
      },
    });
    new Counter({
      name: 'dynamodb_admission_waits_total',
      help: 'DynamoDB calls that waited for admission and were admitted',
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(admission().waited);
      },
    });
  }
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests (GraphQL or not) until the response is ready, in seconds',
    labelNames: ['method', 'path', 'status'],
    registers: [appRegistry],
  });
  const registry = Registry.merge([processMetrics(), appRegistry]);

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
      if (db) {
        for (const [operation, count] of db.calls) {
          callsByOperation.set(operation, (callsByOperation.get(operation) ?? 0) + count);
        }
        capacityUsed.read += db.capacity.read;
        capacityUsed.write += db.capacity.write;
      }

      let outcome = 'ok';
      if (result && !isAsyncIterable(result) && !Array.isArray(result)) {
        if (result.errors?.length) outcome = 'error';
        if (!config.isProduction || request.headers.get(COST_HEADER) === '1') {
          setResult({ ...result, extensions: { ...result.extensions, cost: requestCost(db) } });
        }
      }
      // Not parsed: a plugin answered from its params (a response cache hit, of a query that
      // parsed and validated when it was cached).
      const operation = state?.operation ?? describeOperation(null, state?.params, true);
      const labels = {
        operation_type: operation.type,
        operation_name: nameLabel(operation.name),
        outcome,
      };
      graphqlRequests.inc(labels);
      if (state) graphqlDuration.observe(labels, (performance.now() - state.started) / 1000);
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
