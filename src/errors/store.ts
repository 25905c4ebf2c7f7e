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
