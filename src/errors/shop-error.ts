/**
 * The codes a client sees in `extensions.code` for the gateway's own errors. An error that is
 * not a ShopError (nor GraphQL's own) is unexpected: masked for the client, logged with its cause.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'BAD_CURSOR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'OUTCOME_UNKNOWN';

/**
 * The one family of the gateway's errors. Three branches, by who handles them:
 * - ClientError (src/errors/client.ts): the request is at fault; its message is shown;
 * - DomainError (src/errors/domain.ts): a user's failure, returned as data in a result union;
 * - the store's (src/errors/store.ts): DynamoDB did not take or did not answer a call.
 * src/errors/to-graphql.ts is the one mapping of them to GraphQL errors and HTTP statuses.
 * The store's unexpected failures (src/errors/store.ts: a corrupt item, a refused Scan,
 * throttling past every retry) are deliberately not ShopErrors: they are masked for the client.
 */
export abstract class ShopError extends Error {
  abstract readonly code: ErrorCode;
}
