import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { markUnknownOutcomes } from './outcome.js';
import { refuseScan } from './scan-guard.js';
import { sdkLogger } from './sdk-logger.js';

export { ScanRefusedError } from '../errors/store.js';

export interface DynamoOptions {
  endpoint?: string | undefined;
  region: string;
  /** Per-attempt limits, so that an unreachable database fails a request in bounded time. */
  timeouts?: Partial<DynamoTimeouts>;
  /**
   * Fixed credentials for DynamoDB Local, which accepts any made of letters and digits.
   * Off: the SDK's default credential chain (AWS, or a compatible store with real keys).
   */
  localCredentials?: boolean;
  /** ReturnConsumedCapacity on every call; off only in the benchmark's feature runs. */
  reportCapacity?: boolean;
  /** Where the SDK's warnings go (a saturated socket pool, clock skew); dropped when not given. */
  warn?: (message: string) => void;
}

export interface Dynamo {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Counts every attempt that goes on the wire, by command name. */
  wire: WireCounter;
  destroy(): void;
}

/** Process-wide count of wire attempts per command, for tests and the benchmark. */
export class WireCounter {
  readonly counts = new Map<string, number>();
  record(command: string): void {
    this.counts.set(command, (this.counts.get(command) ?? 0) + 1);
  }
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
  /** The attempts per command since `before` (a snapshot), the commands with none left out. */
  since(before: Record<string, number>): { calls: Record<string, number>; total: number } {
    const calls: Record<string, number> = {};
    let total = 0;
    for (const [name, count] of this.counts) {
      const delta = count - (before[name] ?? 0);
      if (delta > 0) {
        calls[name] = delta;
        total += delta;
      }
    }
    return { calls, total };
  }
  reset(): void {
    this.counts.clear();
  }
}

/**
 * The commands whose output can carry ConsumedCapacity. Every one of them asks for TOTAL (a
 * caller may still ask for INDEXES), so that RequestDb can add up what each request costs.
 */
const REPORTS_CAPACITY = new Set(
  [
    'GetItem',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'Query',
    'BatchGetItem',
    'BatchWriteItem',
    'TransactGetItems',
    'TransactWriteItems',
  ].map((name) => `${name}Command`),
);

/**
 * The defaults of DYNAMODB_CONNECT_TIMEOUT_MS, DYNAMODB_REQUEST_TIMEOUT_MS and
 * DYNAMODB_MAX_ATTEMPTS (src/app/config.ts): a refused connection fails in milliseconds, a
 * database that accepts but does not answer fails a call within about 3 × 3 s (plus backoff).
 * The request timeout is far above a call's time in a busy database, because admission control
 * (admission.ts) keeps the calls in flight few: an attempt abandoned while the database is
 * merely queueing it would be re-sent, and the database would do both (README, "Failure
 * behaviour").
 */
export const DEFAULT_TIMEOUTS: DynamoTimeouts = {
  connectTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
  maxAttempts: 3,
};

/**
 * For preparing a table and bulk loads (start-up, scripts, test set-up): not requests, and a
 * busy DynamoDB Local can take seconds per call there, so each attempt may take longer.
 */
export const SETUP_TIMEOUTS: DynamoTimeouts = { ...DEFAULT_TIMEOUTS, requestTimeoutMs: 30_000 };

export interface DynamoTimeouts {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** Every read and write asks for its consumed capacity (the cost report and metrics). */
function addCapacityReport(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) =>
      !REPORTS_CAPACITY.has(String(context.commandName))
        ? next
        : (args) => {
            const input = args.input as { ReturnConsumedCapacity?: string };
            if (input.ReturnConsumedCapacity) return next(args);
            return next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } });
          },
    // Before the document client marshalls the input (serialize step): covers both clients.
    { step: 'initialize', name: 'returnConsumedCapacity' },
  );
}

export function createDynamo(options: DynamoOptions): Dynamo {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.localCredentials
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: timeouts.maxAttempts,
    logger: sdkLogger(options.warn),
    // Retries spend from a token bucket that failures drain (a timeout costs double), so they
    // stop when most calls fail; throttling also slows the client's send rate.
    retryMode: 'adaptive',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Without it, @smithy/node-http-handler only logs a warning when requestTimeout passes and
      // the call waits on: a database that accepts connections but stalls would hang requests.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new Agent(agentOptions),
    }),
  });
  const wire = new WireCounter();

  // The document client shares this middleware stack: what is added here covers it too.
  refuseScan(client);
  markUnknownOutcomes(client);
  // Off only in the benchmark's feature runs (src/app/ablation.ts), to weigh what it costs.
  if (options.reportCapacity !== false) addCapacityReport(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      wire.record(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    },
    // Low priority in finalizeRequest runs inside the retry middleware: one count per attempt.
    { step: 'finalizeRequest', name: 'countWireCalls', priority: 'low' },
  );

  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { client, doc, wire, destroy: () => client.destroy() };
}
