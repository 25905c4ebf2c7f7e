import autocannon from 'autocannon';
import { cpuMs } from '../../src/dev/bench/processes.js';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  /** `http://127.0.0.1:<port>`: the only kind of target the bench ever loads. */
  origin: string;
  connections: number;
  /** Run for this long... */
  durationS?: number;
  /** ...or until this many requests have completed (then `maxS` bounds the time). */
  amount?: number;
  maxS?: number;
  /** Rotated through, one per request, across all connections; or made per request number. */
  requests: LoadRequest[] | ((n: number) => LoadRequest);
  /** Sees every response body (placeOrder counts its outcomes). */
  onBody?: (status: number, body: string) => void;
  /** Processes whose CPU time is measured over the run: label -> pid. */
  cpuOf?: Record<string, number>;
  /** Hand back every 200 response's latency too (to pool several runs' percentiles). */
  keepLatencies?: boolean;
}

export interface LoadResult {
  requests: number;
  /** Responses with a status other than 200, or a body with GraphQL errors. */
  failures: number;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
  rps: number;
  /** Latency percentiles of the 200 responses, in milliseconds (microsecond resolution). */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  /** CPU milliseconds per request of each measured process over the run. */
  cpuPerRequest: Record<string, number>;
  /** With `keepLatencies`: every 200 response's latency in milliseconds, sorted. */
  latencies?: Float64Array;
}

function percentileOf(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Several runs of one side as one: requests and seconds added up, percentiles over every 200
 * response of the runs (they need `keepLatencies`), CPU per request weighted by each run's
 * requests. Pooling balanced runs (A/B, B/A, ...) averages the machine's drift and bursts out,
 * where one run or pair stands for them only by luck.
 */
export function poolRuns(runs: LoadResult[]): LoadResult {
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const latencies = Float64Array.from(runs.flatMap((r) => [...(r.latencies ?? [])])).sort();
  const labels = new Set(runs.flatMap((r) => Object.keys(r.cpuPerRequest)));
  const cpuPerRequest: Record<string, number> = {};
  for (const label of labels) {
    cpuPerRequest[label] =
      runs.reduce((sum, r) => sum + (r.cpuPerRequest[label] ?? Number.NaN) * r.requests, 0) /
      requests;
  }
  return {
    requests,
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    seconds,
    rps: requests / seconds,
    p50: percentileOf(latencies, 0.5),
    p90: percentileOf(latencies, 0.9),
    p99: percentileOf(latencies, 0.99),
    mean: latencies.reduce((sum, v) => sum + v, 0) / Math.max(1, latencies.length),
    cpuPerRequest,
    latencies,
  };
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/** One autocannon run (fixed connections; fixed duration or request count; bounded in time). */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (!LOOPBACK.test(options.origin)) {
    throw new Error(`the bench only loads servers on this machine, not ${options.origin}`);
  }
  const { requests: given } = options;
  if (Array.isArray(given) && given.length === 0) throw new Error('no requests to send');
  const nextRequest = (n: number): LoadRequest =>
    Array.isArray(given) ? (given[n % given.length] as LoadRequest) : given(n);
  const latencies: number[] = [];
  let failures = 0;
  let responses = 0;
  let next = 0;
  const cpuBefore = Object.fromEntries(
    Object.entries(options.cpuOf ?? {}).map(([label, pid]) => [label, cpuMs(pid)]),
  );
  const started = process.hrtime.bigint();
  const maxS = options.maxS ?? (options.durationS ?? 60) + 30;

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        pipelining: 1,
        timeout: 10,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationS ?? 10 }),
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const chosen = nextRequest(next++);
              return {
                ...request,
                method: 'POST',
                path: chosen.path,
                headers: chosen.headers,
                body: chosen.body,
              };
            },
            onResponse: (status, body) => {
              if (status !== 200 || body.includes('"errors"')) failures++;
              options.onBody?.(status, body);
            },
          },
        ],
      },
      (error, result) => {
        clearTimeout(guard);
        if (error) {
          reject(error);
          return;
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = Float64Array.from(latencies).sort();
        const at = (q: number) => percentileOf(sorted, q);
        const requests = responses;
        const cpuPerRequest: Record<string, number> = {};
        for (const [label, pid] of Object.entries(options.cpuOf ?? {})) {
          const used = cpuMs(pid) - (cpuBefore[label] ?? 0);
          cpuPerRequest[label] = requests > 0 ? used / requests : Number.NaN;
        }
        resolve({
          requests,
          failures,
          errors: result.errors + result.timeouts,
          seconds,
          rps: requests / seconds,
          p50: at(0.5),
          p90: at(0.9),
          p99: at(0.99),
          mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
          cpuPerRequest,
          ...(options.keepLatencies ? { latencies: sorted } : {}),
        });
      },
    );
    // Every run stops by itself: `duration`, or `amount` within maxS.
    const guard = setTimeout(() => instance.stop(), maxS * 1_000);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      responses++;
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
}
