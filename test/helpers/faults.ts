import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createDynamo,
  type Dynamo,
  type DynamoTimeouts,
  SETUP_TIMEOUTS,
} from '../../src/store/client.js';
import type { TestTable } from './dynamo.js';

/**
 * Failures DynamoDB Local never produces, injected into a real client's middleware, one attempt
 * at a time (inside the SDK's retries, so its retry strategy sees them as it would see
 * DynamoDB's): every other attempt reaches DynamoDB Local as usual.
 */
export interface Attempt {
  /** `TransactWriteItems`, `UpdateItem`, … */
  operation: string;
  input: Record<string, unknown>;
  /** This attempt's number for the operation, from 1, across the client's life. */
  n: number;
  at: number;
}

/**
 * What to do with an attempt: `undefined` lets it through; an Error is thrown instead of
 * sending it (DynamoDB's answer, or a connection that never opened); `lose-response` sends it,
 * lets DynamoDB Local apply it, and then fails as a lost response does (the socket reset).
 */
export type Fault = Error | 'lose-response' | undefined;

export interface FaultyDynamo extends Dynamo {
  attempts: Attempt[];
}

export function faultyDynamo(
  table: TestTable,
  decide: (attempt: Attempt) => Fault,
  timeouts: Partial<DynamoTimeouts> = {},
): FaultyDynamo {
  const dynamo = createDynamo({
    endpoint: table.endpoint,
    region: 'us-east-1',
    localCredentials: true,
    timeouts: { ...SETUP_TIMEOUTS, ...timeouts },
  });
  const attempts: Attempt[] = [];
  injectFaults(dynamo.client, attempts, decide);
  return { ...dynamo, attempts };
}

function injectFaults(
  client: DynamoDBClient,
  attempts: Attempt[],
  decide: (attempt: Attempt) => Fault,
): void {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const n = (counts.get(operation) ?? 0) + 1;
      counts.set(operation, n);
      const attempt = {
        operation,
        input: args.input as Record<string, unknown>,
        n,
        at: performance.now(),
      };
      attempts.push(attempt);
      const fault = decide(attempt);
      if (fault instanceof Error) throw fault;
      const output = await next(args);
      if (fault === 'lose-response') throw lostResponse();
      return output;
    },
    // finalizeRequest, low priority: inside the retry middleware, once per attempt.
    { step: 'finalizeRequest', name: 'injectFaults', priority: 'low' },
  );
}

/** What Node's HTTP client throws when the connection drops before the response arrives. */
export function lostResponse(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' });
}

/** A connection refused: the request never left. */
export function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}
