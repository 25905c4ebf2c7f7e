/**
 * The "direct SDK" baseline of the benchmark: a tiny HTTP server that, for each request, makes
 * the same DynamoDB calls the gateway makes for that operation (replayed from what the gateway
 * sent: same commands, same keys, the same order and overlap) with the same DocumentClient
 * settings (src/store/client.ts), and answers the items as JSON. No GraphQL: the difference
 * between the two is the gateway's own cost.
 *
 * Run by scripts/bench.ts as its own process: BENCH_PLANS (a JSON file of plans per scenario),
 * DYNAMODB_ENDPOINT, PORT. Listens on 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactGetCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDynamo } from '../../src/store/client.js';

interface RecordedCall {
  command: string;
  input: unknown;
  after: number[];
}

type Constructor = new (input: never) => { input: unknown };
const COMMANDS: Record<string, Constructor> = {
  BatchGetCommand: BatchGetCommand as unknown as Constructor,
  GetCommand: GetCommand as unknown as Constructor,
  QueryCommand: QueryCommand as unknown as Constructor,
  TransactGetCommand: TransactGetCommand as unknown as Constructor,
};

const plansFile = process.env.BENCH_PLANS;
const endpoint = process.env.DYNAMODB_ENDPOINT;
const port = Number(process.env.PORT);
if (!plansFile || !endpoint || !Number.isInteger(port)) {
  console.error('BENCH_PLANS, DYNAMODB_ENDPOINT and PORT are required');
  process.exit(1);
}
const plans = JSON.parse(readFileSync(plansFile, 'utf8')) as Record<string, RecordedCall[][]>;
for (const [scenario, variants] of Object.entries(plans)) {
  for (const plan of variants) {
    for (const call of plan) {
      if (!COMMANDS[call.command]) throw new Error(`${scenario}: cannot replay ${call.command}`);
    }
  }
}
const dynamo = createDynamo({ endpoint, region: 'us-east-1', localCredentials: true });

/** Each call starts once the calls that had finished before it started (in the gateway) are done. */
function replay(plan: RecordedCall[]): Promise<unknown[]> {
  const started: Array<Promise<unknown>> = [];
  for (const call of plan) {
    const Command = COMMANDS[call.command] as Constructor;
    const waitFor = call.after.map((i) => started[i]);
    const go = () => dynamo.doc.send(new Command(call.input as never) as never);
    started.push(waitFor.length === 0 ? go() : Promise.all(waitFor).then(go));
  }
  return Promise.all(started);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const server = createServer(async (request, response) => {
  const path = request.url ?? '/';
  if (request.method === 'GET' && path === '/health') {
    response.end('ok');
    return;
  }
  if (request.method === 'GET' && path === '/stats') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(dynamo.wire.snapshot()));
    return;
  }
  const [, scenario = '', index = '0'] = path.split('/');
  const plan = plans[scenario]?.[Number(index)];
  if (request.method !== 'POST' || !plan) {
    response.statusCode = 404;
    response.end('{"error":"no such scenario"}');
    return;
  }
  try {
    // The same request body as the gateway gets, read and parsed like a GraphQL request.
    JSON.parse(await readBody(request));
    const outputs = (await replay(plan)) as Array<{
      Items?: unknown;
      Responses?: unknown;
      Item?: unknown;
    }>;
    const data = outputs.map((o) => o.Items ?? o.Responses ?? o.Item ?? null);
    const body = JSON.stringify({ data });
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  } catch (error) {
    response.statusCode = 500;
    response.end(JSON.stringify({ error: String(error) }));
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');

const stop = () => {
  server.close(() => {
    dynamo.destroy();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
