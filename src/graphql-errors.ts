import { GraphQLError } from 'graphql';
import { DomainError, NotFoundError, ValidationError } from './domain/errors.js';
import { ShedError } from './dynamo/admission.js';
import { WriteOutcomeUnknownError } from './dynamo/outcome.js';
import { isUnavailableError } from './dynamo/unavailable.js';
import { ClientError } from './errors.js';

export const INTERNAL_ERROR_MESSAGE = 'Unexpected error';
export const UNAVAILABLE_MESSAGE = 'The database is unavailable; try again shortly';
export const SHED_MESSAGE =
  'The shop is too busy to start this request right now; nothing was changed. Try again shortly';
export const OUTCOME_UNKNOWN_MESSAGE =
  'The database did not confirm whether the change was applied: read it back before trying again';

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
 * - a call shed by admission control (nothing was sent) is SERVICE_UNAVAILABLE, HTTP 503 with
 *   the Retry-After admission computed; it is expected under overload, so nothing is logged;
 * - a write whose outcome stayed unknown is OUTCOME_UNKNOWN (never "try again"), logged;
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
  if (original instanceof ShedError) {
    return {
      error: new GraphQLError(SHED_MESSAGE, {
        ...located,
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          requestId,
          http: {
            status: 503,
            headers: { 'retry-after': String(original.retryAfterSeconds) },
          },
        },
      }),
    };
  }
  if (original instanceof WriteOutcomeUnknownError) {
    return {
      error: new GraphQLError(OUTCOME_UNKNOWN_MESSAGE, {
        ...located,
        extensions: { code: 'OUTCOME_UNKNOWN', requestId },
      }),
      cause: original,
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
