/** Node's network error codes for a peer that cannot be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** The SDK's own timeouts (connectionTimeout, requestTimeout) and DynamoDB's 503. */
const UNREACHABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
/** DynamoDB's overload answers, once the SDK's retries ran out. */
const OVERLOAD_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/**
 * Whether the error, or one of its causes, passes `test`. A WriteOutcomeUnknownError keeps its
 * last attempt's error as `lastError` (not `cause`, which the SDK's retry strategy would read).
 */
function inCauses(error: unknown, test: (error: Error & { code?: unknown }) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (test(current)) return true;
    const next = current as Error & { cause?: unknown; lastError?: unknown };
    current = next.cause ?? next.lastError;
  }
  return false;
}

/**
 * True when DynamoDB could not be reached or did not answer in time (a refused or reset
 * connection, the SDK's timeouts, a 503): whatever the call, it would fail the same way now.
 */
export function isUnreachableError(error: unknown): boolean {
  return inCauses(
    error,
    ({ code, name, message }) =>
      (typeof code === 'string' && NETWORK_CODES.has(code)) ||
      UNREACHABLE_NAMES.has(name) ||
      /socket hang up/i.test(message),
  );
}

/**
 * True when an error (or one of its causes) says DynamoDB could not be reached or could not
 * answer in time, or was overloaded past the SDK's retries: the request failed because of the
 * database, not because of the request.
 */
export function isUnavailableError(error: unknown): boolean {
  return isUnreachableError(error) || inCauses(error, ({ name }) => OVERLOAD_NAMES.has(name));
}
