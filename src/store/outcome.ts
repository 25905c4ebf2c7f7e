import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WriteOutcomeUnknownError } from '../errors/store.js';

export const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Errors that prove the request never reached DynamoDB. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether a failed attempt may have been applied: anything but an answer below 500 from
 * DynamoDB, a refused connection or a connection that never opened.
 */
export function attemptMayHaveApplied(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name === 'ShedError' || error.name === 'ScanRefusedError') return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof status === 'number' && status > 0 && status < 500) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return false;
  // @smithy/node-http-handler's connectionTimeout: no connection, so nothing was sent.
  if (error.name === 'TimeoutError' && /establish a connection/.test(error.message)) return false;
  return true;
}

/** Where the per-attempt middleware leaves its finding for the one around all attempts. */
const MAY_HAVE_APPLIED = Symbol('mayHaveApplied');

/**
 * Turns a write's failure into WriteOutcomeUnknownError when one of its attempts may have been
 * applied and the final error does not settle it (no answer, throttling, a transaction still in
 * progress: settlesOutcome). An answer that does (a write token's failed condition, a
 * cancellation) stays as it is: the idempotent writes read it for what it is.
 */
export function markUnknownOutcomes(client: DynamoDBClient): void {
  client.middlewareStack.add(
    onWriteFailure((error, context) => {
      if (context[MAY_HAVE_APPLIED] && !settlesOutcome(error)) {
        const operation = String(context.commandName).replace(/Command$/, '');
        return new WriteOutcomeUnknownError(operation, error);
      }
      return error;
    }),
    // Outside the retry middleware: it sees the error that the last attempt ended with.
    { step: 'initialize', name: 'markUnknownOutcomes', priority: 'low' },
  );
  client.middlewareStack.add(
    onWriteFailure((error, context) => {
      if (attemptMayHaveApplied(error)) context[MAY_HAVE_APPLIED] = true;
      return error;
    }),
    // Low priority in finalizeRequest runs inside the retry middleware: once per attempt.
    { step: 'finalizeRequest', name: 'noteUnansweredAttempts', priority: 'low' },
  );
}

type Context = Record<symbol, unknown> & { commandName?: string };

/**
 * A middleware that hands a write command's failure to `map`, which returns the error to throw.
 * Reads pass untouched: only a write can have an unknown outcome.
 */
function onWriteFailure(map: (error: unknown, context: Context) => unknown) {
  return <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    !WRITE_COMMANDS.has(String(context.commandName))
      ? next
      : async (args: A): Promise<R> => {
          try {
            return await next(args);
          } catch (error) {
            throw map(error, context as Context);
          }
        };
}

/** An HTTP answer from DynamoDB below 500: it says what happened to this attempt. */
export function isAnswer(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status > 0 && status < 500;
}

/** The attribute a single-item write stamps with its token, to recognise itself when re-sent. */
export const WRITE_TOKEN_VALUE = ':writeToken';

/**
 * Whether sending the write again cannot apply it twice: a transaction with a
 * ClientRequestToken (DynamoDB applies it once in 10 minutes), a put or update carrying a write
 * token (writeToken.ts), an unconditional delete.
 */
export function isIdempotentWrite(operation: string, input: object): boolean {
  const i = input as {
    ClientRequestToken?: unknown;
    ConditionExpression?: unknown;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  switch (operation) {
    case 'TransactWriteItems':
      return typeof i.ClientRequestToken === 'string';
    case 'PutItem':
    case 'UpdateItem':
      return typeof i.ExpressionAttributeValues?.[WRITE_TOKEN_VALUE] === 'string';
    case 'DeleteItem':
      return i.ConditionExpression === undefined;
    default:
      return false;
  }
}

/** Answers that say only that this attempt was not served now: they tell nothing of an earlier send. */
const NOT_SERVED_NOW = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);

/**
 * Whether DynamoDB's error for a re-sent idempotent write says what became of the write: a
 * failed condition (for a write token: the item shows whether the first send applied), a
 * cancellation (the same ClientRequestToken after an applied send would have succeeded), a
 * refused request. Not throttling, not "in progress", not a cancellation by conflicts alone,
 * and not a failure without an answer: after those, the outcome is as unknown as before.
 */
export function settlesOutcome(error: unknown): boolean {
  if (!isAnswer(error)) return false;
  const { name } = error as Error;
  if (NOT_SERVED_NOW.has(name)) return false;
  if (name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> })
      .CancellationReasons;
    return (reasons ?? []).some((r) => r.Code !== 'None' && r.Code !== 'TransactionConflict');
  }
  return true;
}
