import type { TableKey } from '../models/table-schema.js';
import { ShopError } from './shop-error.js';

/** A DynamoDB call that admission control refused to send: nothing was changed. */
export class ShedError extends ShopError {
  override name = 'ShedError';
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: 'queue-full' | 'deadline' | 'expected-wait',
  ) {
    super(`DynamoDB call shed before it was sent (${reason})`);
  }
}

/**
 * A write that went out and got no answer that settles it (a timeout, a reset, a 5xx, then at
 * most throttling). Re-sending an idempotent write (a transaction with its ClientRequestToken,
 * an update carrying its write token) settles it; a read-back can too.
 */
export class WriteOutcomeUnknownError extends ShopError {
  override name = 'WriteOutcomeUnknownError';
  readonly code = 'OUTCOME_UNKNOWN';
  constructor(
    readonly operation: string,
    /** The last attempt's error. Not `cause`: the SDK would see a retryable error through it. */
    readonly lastError: unknown,
  ) {
    super(`${operation}: the outcome is unknown (${(lastError as Error)?.message ?? lastError})`);
  }
}

// The store's unexpected failures. Not ShopErrors: the client sees INTERNAL_SERVER_ERROR and the
// request id, and the log gets the error with its cause.

/** Thrown when a stored item does not have the shape its entity promises. */
export class CorruptItemError extends Error {
  override name = 'CorruptItemError';
}

/** Thrown before the wire: no request path may Scan (DESIGN.md "No Scan on any request path"). */
export class ScanRefusedError extends Error {
  override name = 'ScanRefusedError';
  constructor() {
    super(
      'Scan is not allowed: every request path uses GetItem, BatchGetItem, Query or a transaction',
    );
  }
}

/** BatchGetItem kept returning a key as unprocessed (throttled) past its retries. */
export class UnprocessedKeysError extends Error {
  override name = 'UnprocessedKeysError';
  constructor(
    readonly key: TableKey,
    attempts: number,
  ) {
    super(`DynamoDB left ${key.PK}/${key.SK} unprocessed after ${attempts} attempts (throttled)`);
  }
}

/** BatchWriteItem kept returning items as unprocessed past its budget. */
export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
  constructor(
    readonly remaining: number,
    readonly written: number,
    budgetMs: number,
  ) {
    super(
      `BatchWriteItem: ${remaining} item(s) left unwritten (${written} written): DynamoDB kept ` +
        `returning them as UnprocessedItems (throttled) for more than the ${budgetMs} ms retry budget`,
    );
  }
}

/** The same ClientRequestToken was used with other parameters within DynamoDB's 10 minutes. */
export class TokenReusedError extends Error {
  override name = 'TokenReusedError';
}
