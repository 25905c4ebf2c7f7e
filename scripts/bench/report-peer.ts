/**
 * The peer section of BENCHMARKS.md (`npm run bench`): the gateway against a hand-written
 * Apollo Server over the same table (scripts/bench/peer-server.ts), operation by operation.
 */

/** One side's runs of an operation, added up. */
export interface PeerSide {
  runs: number;
  requests: number;
  seconds: number;
  /** Completed requests over the runs' wall time. */
  rps: number;
  /** Percentiles over every 200 response of the side's runs, pooled, in milliseconds. */
  p50: number;
  p99: number;
  /** CPU milliseconds per completed request, over all of the side's runs. */
  serverCpuMs: number;
  dynamodbCpuMs: number;
  /** DynamoDB calls per completed request, as the side counted them. */
  calls: number;
  /** Non-200 responses or GraphQL errors, and connection errors. */
  failures: number;
}

export interface PeerRun {
  side: 'gateway' | 'peer';
  rps: number;
  p50: number;
  serverCpuMs: number;
}

export interface PeerRow {
  operation: string;
  gateway: PeerSide;
  peer: PeerSide;
  /** Every measured run, in the order it ran. */
  runs: PeerRun[];
}

export interface PeerResults {
  /** A/B pairs in each of the two passes (A/B/A/B, then B/A/B/A), and their runs' length. */
  pairsPerPass: number;
  runS: number;
  warmupS: number;
  connections: number;
  rows: PeerRow[];
}

export const PEER_TITLE = 'The peer: a hand-written Apollo Server';

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const num = (v: number, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
const ratio3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

export function peerTargets(peer: PeerResults) {
  return peer.rows.flatMap((row) => {
    const cpu = row.gateway.serverCpuMs / row.peer.serverCpuMs;
    const rps = row.gateway.rps / row.peer.rps;
    return [
      {
        figure: `${row.operation}: server CPU per request, ours / peer`,
        measured: `${ratio3(cpu)} (${num(row.gateway.serverCpuMs, 2)} / ${num(row.peer.serverCpuMs, 2)} ms)`,
        target: '<= 1.0',
        met: cpu <= 1,
      },
      {
        figure: `${row.operation}: req/s, ours / peer`,
        measured: `${ratio3(rps)} (${num(row.gateway.rps)} / ${num(row.peer.rps)})`,
        target: '>= 1.0',
        met: rps >= 1,
      },
    ];
  });
}

export function renderPeerSection(number: number, peer: PeerResults): string[] {
  const runsPerSide = 2 * peer.pairsPerPass;
  const order = `${'A/B/'.repeat(peer.pairsPerPass).slice(0, -1)}, then ${'B/A/'.repeat(peer.pairsPerPass).slice(0, -1)}`;
  const lines = [
    `## ${number}. ${PEER_TITLE}`,
    '',
    `What a team that does not pick this gateway writes: \`scripts/bench/peer-server.ts\` (compiled, \`NODE_ENV=production\`, the same Node flags), Apollo Server 5 on node:http with hand-written SDL for these four operations (the same type and field names, so the same query texts), one DataLoader per entity (products, inventory, categories, customers) each batching into BatchGetItem, a Query for each list (GSI1 for a category's products, GSI2 for the featured ones, the table for reviews, cart lines and orders), unsigned cursors (base64 of the key's JSON), jose for \`me\`'s token, and its own DocumentClient with a keep-alive agent. No limits, scopes, validation, metrics or capacity reporting. \`test/integration/bench-peer.test.ts\` holds both to the same data and the peer to its calls.`,
    '',
    `Against the uncached gateway (production, response cache off), the same request bodies and tokens, ${peer.connections} connections. Per operation, after ${peer.warmupS} s of warm-up on each side, ${runsPerSide} runs of ${peer.runS} s per side, alternating (A = gateway, B = peer): ${order}. Each side's figures add up its runs: req/s is completed requests over their wall time; p50 and p99 are over every 200 response of its runs together; CPU is milliseconds of CPU time (utime + stime from /proc/<pid>/stat, before and after each run) over completed requests, for the server process and for DynamoDB Local during that side's runs. Calls/request is what each side counted (the gateway on \`/metrics\`, the peer at its SDK middleware, on \`/stats\`).`,
    '',
    '| Operation | Server | Calls/request | req/s | p50 | p99 | CPU ms/req: server | DynamoDB Local |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of peer.rows) {
    for (const [label, side] of [
      ['gateway', row.gateway],
      ['peer', row.peer],
    ] as const) {
      lines.push(
        `| ${row.operation} | ${label} | ${num(side.calls, 2)} | ${num(side.rps)} | ${ms(side.p50)} | ${ms(side.p99)} | ${num(side.serverCpuMs, 2)} | ${num(side.dynamodbCpuMs, 2)} |`,
      );
    }
    lines.push(
      `| ${row.operation} | **ours / peer** | ${ratio3(row.gateway.calls / row.peer.calls)} | **${ratio3(row.gateway.rps / row.peer.rps)}** | ${ratio3(row.gateway.p50 / row.peer.p50)} | ${ratio3(row.gateway.p99 / row.peer.p99)} | **${ratio3(row.gateway.serverCpuMs / row.peer.serverCpuMs)}** | ${ratio3(row.gateway.dynamodbCpuMs / row.peer.dynamodbCpuMs)} |`,
    );
  }
  lines.push(
    '',
    'Every run, in the order it ran (req/s, p50, server CPU ms/req):',
    '',
    '| Operation | Runs |',
    '|---|---|',
    ...peer.rows.map(
      (row) =>
        `| ${row.operation} | ${row.runs
          .map(
            (r) =>
              `${r.side === 'gateway' ? 'A' : 'B'} ${num(r.rps)}, ${ms(r.p50)}, ${num(r.serverCpuMs, 2)}`,
          )
          .join('; ')} |`,
    ),
    '',
    `Failed responses (non-200, GraphQL errors or connection errors): ${peer.rows
      .map((r) => `${r.operation} ${r.gateway.failures} / ${r.peer.failures}`)
      .join(', ')} (gateway / peer).`,
    '',
  );
  return lines;
}
