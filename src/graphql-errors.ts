import { GraphQLError } from 'graphql';
import { DomainError, NotFoundError, ValidationError } from './domain/errors.js';
import { isUnavailableError } from './dynamo/unavailable.js';
import { ClientError } from './errors.js';

export const INTERNAL_ERROR_MESSAGE = 'Unexpected error';
export const UNAVAILABLE_MESSAGE = 'The database is unavailable; try again shortly';

export interface ErrorReport {
  /** What the client gets. */
  error: GraphQLError;
  /** Set when the error was unexpected: the cause, to be logged. */
  cause?: unknown;
}

/**
 * Maps an execution error to what the client may see:
 * - GraphQL's own errors (syntax, validation, coercion) have no original error: as they are;
 * - errors the client caused (ClientError: input, cursor, auth) keep their message, with a code;
 * - domain errors that no result union took (a query argument's ValidationError, a NotFoundError
 *   outside a mutation) are the client's too: BAD_USER_INPUT, or NOT_FOUND;
 * - GraphQLErrors thrown by the schema's plugins (an id of the wrong type) are input errors;
 * - an unreachable or overloaded database (isUnavailableError) is SERVICE_UNAVAILABLE, with
 *   HTTP 503 and Retry-After (yoga takes `extensions.http` for the status, never shows it); the
 *   cause is still returned, to be logged;
 * - anything else is unexpected: the client sees a code and the request id, and the caller
 *   logs the cause under the same request id.
 */
export function toClientError(error: GraphQLError, requestId: string): ErrorReport {
  const original = error.originalError;
  const located = { nodes: error.nodes, path: error.path };
  if (original === undefined || original === null) return { error };
  if (original instanceof ClientError) {
    return {
      error: new GraphQLError(original.message, {
        ...located,
        extensions: { code: original.code },
      }),
    };
  }
  if (original instanceof DomainError) {
    const code = original instanceof NotFoundError ? 'NOT_FOUND' : 'BAD_USER_INPUT';
    const field = original instanceof ValidationError ? { field: original.field } : {};
    return {
      error: new GraphQLError(original.message, {
        ...located,
        extensions: { code, ...field },
      }),
    };
  }
  if (original instanceof GraphQLError) {
    const code = original.extensions.code ?? 'BAD_USER_INPUT';
    return {
      error: new GraphQLError(original.message, {
        ...located,
        extensions: { ...original.extensions, code },
      }),
    };
  }
  if (isUnavailableError(original)) {
    return {
      error: new GraphQLError(UNAVAILABLE_MESSAGE, {
        ...located,
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          requestId,
          http: { status: 503, headers: { 'retry-after': '1' } },
        },
      }),
      cause: original,
    };
  }
  return {
    error: new GraphQLError(INTERNAL_ERROR_MESSAGE, {
      ...located,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    }),
    cause: original,
  };
}
