import { type ErrorCode, ShopError } from './shop-error.js';

/** An error the client caused, shown to it with its message and a code. */
export class ClientError extends ShopError {
  override name = 'ClientError';
  constructor(
    message: string,
    readonly code: ErrorCode = 'BAD_USER_INPUT',
    /** The HTTP status when this error ends the whole request (auth), otherwise unused. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

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

/** A cursor that is malformed, altered, or from another field, arguments or viewer. */
export class CursorError extends ClientError {
  override name = 'CursorError';
  constructor(message = 'Invalid cursor: use a cursor returned by this same field and arguments') {
    super(message, 'BAD_CURSOR');
  }
}

/** A page size (`first`) outside its bounds. */
export class PageSizeError extends ClientError {
  override name = 'PageSizeError';
}
