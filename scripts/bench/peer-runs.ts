/**
 * The peer section's measurement: per operation, the gateway (A) and the peer (B) loaded in
 * turn, A/B/A/B then B/A/B/A, after a warm-up of each; each side's runs added up.
 */
import type { ChildServer } from '../../src/dev/bench/processes.js';
import { type LoadRequest, type LoadResult, poolRuns, runLoad } from './load.js';
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

function sideOf(runs: Measured[]): PeerSide {
  const pooled = poolRuns(runs.map((r) => r.result));
  return {
    runs: runs.length,
    requests: pooled.requests,
    seconds: pooled.seconds,
    rps: pooled.rps,
    p50: pooled.p50,
    p99: pooled.p99,
    serverCpuMs: pooled.cpuPerRequest.server ?? Number.NaN,
    dynamodbCpuMs: pooled.cpuPerRequest.dynamodb ?? Number.NaN,
    calls: runs.reduce((sum, r) => sum + r.calls, 0) / pooled.requests,
    failures: pooled.failures + pooled.errors,
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
