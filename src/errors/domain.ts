/**
 * Failures a user causes, returned as data in a mutation's result union (DESIGN.md "errors as
 * data"). Each has a GraphQL object type implementing `interface Error { message: String! }`.
 * Ids here are raw entity ids; the schema turns them into global ids.
 */
import { type ErrorCode, ShopError } from './shop-error.js';

export class DomainError extends ShopError {
  override name = 'DomainError';
  /** When no result union takes it (a query's argument, say), the client's error with this code. */
  readonly code: ErrorCode = 'BAD_USER_INPUT';
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(
    /** The input field at fault, as a dotted path (`input.lines.2.quantity`). */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  override readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
    message = `${entity} not found`,
  ) {
    super(message);
  }
}

export class OutOfStockError extends DomainError {
  override name = 'OutOfStockError';
  constructor(
    readonly productId: string,
    readonly requested: number,
    readonly available: number,
    productName?: string,
  ) {
    super(
      `Not enough stock for ${productName ? `"${productName}"` : `product ${productId}`}: requested ${requested}, available ${available}`,
    );
  }
}

export class VersionConflictError extends DomainError {
  override name = 'VersionConflictError';
  constructor(
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `The product changed: expected version ${expectedVersion}, current version ${currentVersion}`,
    );
  }
}

export class InvalidTransitionError extends DomainError {
  override name = 'InvalidTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`An order cannot go from ${from} to ${to}`);
  }
}

export class EmailTakenError extends DomainError {
  override name = 'EmailTakenError';
  constructor(readonly email: string) {
    super(`The email ${email} is already in use`);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  override name = 'IdempotencyKeyReusedError';
  constructor(readonly idempotencyKey: string) {
    super(
      `The idempotency key ${idempotencyKey} was already used for a different request: use a new key for a new order`,
    );
  }
}

export class AlreadyReviewedError extends DomainError {
  override name = 'AlreadyReviewedError';
  constructor(readonly productId: string) {
    super('You have already reviewed this product');
  }
}

export class AlreadyExistsError extends DomainError {
  override name = 'AlreadyExistsError';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} already exists`);
  }
}

/**
 * The order was sent to the database, which did not say whether it took it, and reading it
 * back could not tell either. Retrying with the same idempotency key is always safe: it returns
 * the order if it was placed and places it once if it was not. A new key could order twice.
 */
export class OrderOutcomeUnknownError extends DomainError {
  override name = 'OrderOutcomeUnknownError';
  constructor(readonly idempotencyKey: string) {
    super(
      `We could not confirm whether this order was placed. Retry with the same idempotencyKey (${idempotencyKey}): it returns the order if it was placed, and places it once if it was not`,
    );
  }
}
