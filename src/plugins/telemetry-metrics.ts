import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FleetStatus } from '../fleet/fleet.js';
import type { AdmissionStats } from '../store/admission.js';
import type { RequestDb } from '../store/request-db.js';

/** What /metrics reads from outside the request path, when it is read. */
export interface MetricSources {
  /** Operations the executor has compiled so far (graphql-jit). */
  compiledOperations?: () => number;
  /** Executions answered by a compiled query (graphql-jit). */
  compiledRuns?: () => number;
  /** Admission control's figures (src/store/admission.ts). */
  admission?: () => AdmissionStats;
  /** The fleet's shared parts (src/fleet). */
  fleet?: () => FleetStatus;
  /** Stream shards whose lease this process holds (with REDIS_URL). */
  streamLeasesHeld?: () => number;
  /** graphql-ws sockets open now (src/http/websocket.ts). */
  webSocketsOpen?: () => number;
}

export type AppMetrics = ReturnType<typeof createAppMetrics>;

/**
 * The Prometheus metrics of one app, in a registry of its own (plus the process metrics), so
 * that apps in one process, such as tests, do not share counters.
 */
export function createAppMetrics(sources: MetricSources) {
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
  const pulled = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    read: (() => number) | undefined,
  ) => {
    if (!read) return;
    if (kind === 'gauge') {
      new Gauge({
        name,
        help,
        registers: [appRegistry],
        collect() {
          this.set(read());
        },
      });
      return;
    }
    new Counter({
      name,
      help,
      registers: [appRegistry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const { admission, fleet } = sources;
  const fromFleet = (read: (status: FleetStatus) => number) =>
    fleet ? () => read(fleet()) : undefined;
  pulled(
    'gauge',
    'redis_up',
    'Whether Redis answers (1) or not (0); without REDIS_URL always 1 (nothing to reach)',
    fromFleet((status) => (status.redis === 'down' ? 0 : 1)),
  );
  pulled(
    'counter',
    'bus_messages_published_total',
    'Messages this process added to the bus (stream records with events, invalidations)',
    fromFleet((status) => status.bus.published),
  );
  pulled(
    'counter',
    'bus_duplicates_dropped_total',
    'Stream records not published again because their eventID had been (a new reader re-reading after the checkpoint, a retried Lambda batch)',
    fromFleet((status) => status.bus.duplicatesDropped),
  );
  pulled(
    'counter',
    'bus_messages_delivered_total',
    "Bus messages handed to this process's subscribers and response cache",
    fromFleet((status) => status.bus.delivered),
  );
  pulled(
    'gauge',
    'response_cache_bypassed',
    'Whether the response cache is bypassed (1) because the bus is down, or in use (0)',
    fromFleet((status) => (status.cacheBypassed ? 1 : 0)),
  );
  pulled(
    'gauge',
    'stream_leases_held',
    'Stream shards whose lease this process holds and reads (with REDIS_URL; the fleet total is the shard count)',
    sources.streamLeasesHeld,
  );
  pulled(
    'gauge',
    'graphql_ws_connections_open',
    'graphql-ws sockets open now (each holds its subscriptions; they close with 1001 at shutdown)',
    sources.webSocketsOpen,
  );
  const fromAdmission = (read: (stats: AdmissionStats) => number) =>
    admission ? () => read(admission()) : undefined;
  pulled(
    'counter',
    'graphql_jit_compilations_total',
    'Operations compiled by graphql-jit: once per document and operation name while the parse cache keeps the document. A count that keeps rising under the same operations means each request compiles again',
    sources.compiledOperations,
  );
  pulled(
    'counter',
    'graphql_jit_executions_total',
    'Query and mutation executions answered by a query graphql-jit compiled (the rest ran on graphql-js)',
    sources.compiledRuns,
  );
  pulled(
    'gauge',
    'dynamodb_calls_in_flight',
    'DynamoDB calls of GraphQL requests on the wire now (at most DYNAMODB_MAX_IN_FLIGHT)',
    fromAdmission((stats) => stats.inFlight),
  );
  pulled(
    'gauge',
    'dynamodb_calls_queued',
    'DynamoDB calls waiting for admission now',
    fromAdmission((stats) => stats.queued),
  );
  pulled(
    'counter',
    'dynamodb_calls_shed_total',
    'DynamoDB calls refused before they were sent: the queue was full, or they could not start before their request deadline',
    fromAdmission((stats) => stats.shed),
  );
  pulled(
    'counter',
    'dynamodb_admission_wait_seconds_total',
    'Time admitted DynamoDB calls spent waiting for admission, in seconds (with dynamodb_admission_waits_total: the mean wait)',
    fromAdmission((stats) => stats.waitedMs / 1_000),
  );
  pulled(
    'counter',
    'dynamodb_admission_waits_total',
    'DynamoDB calls that waited for admission and were admitted',
    fromAdmission((stats) => stats.waited),
  );
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests (GraphQL or not) until the response is ready, in seconds',
    labelNames: ['method', 'path', 'status'],
    registers: [appRegistry],
  });
  const registry = Registry.merge([processMetrics(), appRegistry]);
  return {
    registry,
    graphqlDuration,
    graphqlRequests,
    httpDuration,
    /** Adds a finished request's DynamoDB calls and capacity. */
    addCalls(db: RequestDb) {
      for (const [operation, count] of db.calls) {
        callsByOperation.set(operation, (callsByOperation.get(operation) ?? 0) + count);
      }
      capacityUsed.read += db.capacity.read;
      capacityUsed.write += db.capacity.write;
    },
  };
}

let processRegistry: Registry | undefined;
/** CPU, memory, event loop, GC: one set per process (each set starts its own monitors). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
