/**
 * The peer section's measurement: per operation, the gateway (A) and the peer (B) loaded in
 * turn, A/B/A/B then B/A/B/A, after a warm-up of each; each side's runs added up.
 */
import type { ChildServer } from '../../src/dev/bench/processes.js';
import { type LoadRequest, type LoadResult, runLoad } from './load.js';
import type { PeerResults, PeerRow, PeerRun, PeerSide } from './report-peer.js';

export interface PeerMeasureOptions {
  gateway: ChildServer;
  peer: ChildServer;
  dynamodbPid: number;
  operations: readonly string[];
  /** The request variants of an operation (the same for both: path /graphql). */
  requestsFor: (operation: string) => LoadRequest[];
  /** A side's DynamoDB call counter so far (the gateway's /metrics, the peer's /stats). */
  gatewayCalls: () => Promise<number>;
  peerCalls: () => Promise<number>;
  connections: number;
  pairsPerPass: number;
  runS: number;
  warmupS: number;
  log: (message: string) => void;
  /** Requests the gateway answered (the memory figures count them). */
  onGatewayRequests?: (n: number) => void;
}

interface Measured {
  result: LoadResult;
  calls: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function sideOf(runs: Measured[]): PeerSide {
  const requests = runs.reduce((sum, r) => sum + r.result.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.result.seconds, 0);
  const cpu = (label: string) =>
    runs.reduce(
      (sum, r) => sum + (r.result.cpuPerRequest[label] ?? Number.NaN) * r.result.requests,
      0,
    ) / requests;
  const latencies = Float64Array.from(runs.flatMap((r) => [...(r.result.latencies ?? [])])).sort();
  return {
    runs: runs.length,
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    serverCpuMs: cpu('server'),
    dynamodbCpuMs: cpu('dynamodb'),
    calls: runs.reduce((sum, r) => sum + r.calls, 0) / requests,
    failures: runs.reduce((sum, r) => sum + r.result.failures + r.result.errors, 0),
  };
}

export async function measurePeer(options: PeerMeasureOptions): Promise<PeerResults> {
  const load = (server: ChildServer, requests: LoadRequest[], durationS: number) =>
    runLoad({
      origin: server.origin,
      connections: options.connections,
      durationS,
      requests,
      cpuOf: { server: server.pid, dynamodb: options.dynamodbPid },
      keepLatencies: true,
    });
  const rows: PeerRow[] = [];
  for (const operation of options.operations) {
    const requests = options.requestsFor(operation);
    const measure = async (side: 'gateway' | 'peer'): Promise<Measured> => {
      const server = side === 'gateway' ? options.gateway : options.peer;
      const counter = side === 'gateway' ? options.gatewayCalls : options.peerCalls;
      const before = await counter();
      const result = await load(server, requests, options.runS);
      const calls = (await counter()) - before;
      if (side === 'gateway') options.onGatewayRequests?.(result.requests);
      return { result, calls };
    };
    options.log(`peer: ${operation}, ${4 * options.pairsPerPass} runs of ${options.runS} s`);
    const warm = await load(options.gateway, requests, options.warmupS);
    options.onGatewayRequests?.(warm.requests);
    await load(options.peer, requests, options.warmupS);

    const order: Array<'gateway' | 'peer'> = [];
    for (let i = 0; i < options.pairsPerPass; i++) order.push('gateway', 'peer');
    for (let i = 0; i < options.pairsPerPass; i++) order.push('peer', 'gateway');
    const measured: Record<'gateway' | 'peer', Measured[]> = { gateway: [], peer: [] };
    const runs: PeerRun[] = [];
    for (const side of order) {
      const run = await measure(side);
      measured[side].push(run);
      runs.push({
        side,
        rps: run.result.rps,
        p50: run.result.p50,
        serverCpuMs: run.result.cpuPerRequest.server ?? Number.NaN,
      });
    }
    const row: PeerRow = {
      operation,
      gateway: sideOf(measured.gateway),
      peer: sideOf(measured.peer),
      runs,
    };
    options.log(
      `  req/s ${row.gateway.rps.toFixed(0)} / ${row.peer.rps.toFixed(0)}, p50 ${row.gateway.p50.toFixed(2)} / ${row.peer.p50.toFixed(2)} ms, server CPU ${row.gateway.serverCpuMs.toFixed(2)} / ${row.peer.serverCpuMs.toFixed(2)} ms/req, calls ${row.gateway.calls.toFixed(2)} / ${row.peer.calls.toFixed(2)} (gateway / peer)`,
    );
    rows.push(row);
  }
  return {
    pairsPerPass: options.pairsPerPass,
    runS: options.runS,
    warmupS: options.warmupS,
    connections: options.connections,
    rows,
  };
}
