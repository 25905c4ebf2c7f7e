/**
 * Errors a client caused, shown to it with a code. Anything that is not a ClientError is
 * unexpected: masked for the client (a code and the request id) and logged with its cause.
 */
export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    message: string,
    readonly code: ClientErrorCode = 'BAD_USER_INPUT',
    /** The HTTP status when this error ends the whole request (auth), otherwise unused. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

export type ClientErrorCode =
  | 'BAD_USER_INPUT'
  | 'BAD_CURSOR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

export class AuthError extends ClientError {
  override name = 'AuthError';
  constructor(message: string) {
    super(message, 'UNAUTHENTICATED', 401);
  }
}

export class ForbiddenError extends ClientError {
  override name = 'ForbiddenError';
  constructor(message = 'Not authorized') {
    super(message, 'FORBIDDEN');
  }
}
