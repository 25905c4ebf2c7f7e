/**
 * The peer of the benchmark: the gateway a team writes when it does not pick this one. Apollo
 * Server 5, hand-written SDL for ProductPage, CategoryPage, Featured and Me, one DataLoader per
 * entity over BatchGetItem, a Query per list, its own DocumentClient with a keep-alive agent,
 * and nothing else (no limits, no scopes beyond `me`, no metrics). Built in scripts/bench/peer/.
 *
 * Run by scripts/bench.ts as its own process: DYNAMODB_ENDPOINT (or AWS's own), TABLE_NAME,
 * JWT_SECRET (JWT_ISSUER, JWT_AUDIENCE if the gateway has them), PORT (or `--port N`),
 * AWS_REGION (us-east-1). Listens on 127.0.0.1 only.
 */
import { createPeerServer } from './peer/server.js';

const portIndex = process.argv.indexOf('--port');
const port = Number(portIndex >= 0 ? process.argv[portIndex + 1] : process.env.PORT);
const { DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName, JWT_SECRET: jwtSecret } = process.env;
if (!tableName || !jwtSecret || !Number.isInteger(port)) {
  console.error('TABLE_NAME, JWT_SECRET and PORT (or --port) are required');
  process.exit(1);
}

const peer = await createPeerServer({
  tableName,
  jwtSecret,
  issuer: process.env.JWT_ISSUER,
  audience: process.env.JWT_AUDIENCE,
  port,
  dynamo: {
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint,
    // DynamoDB Local accepts any credentials made of letters and digits.
    credentials: endpoint ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
  },
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void peer.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
