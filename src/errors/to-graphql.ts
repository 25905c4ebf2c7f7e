import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Logger } from '../app/logger.js';
import { bearerChallenge } from '../auth/challenge.js';
import { isUnavailableError } from '../store/unavailable.js';
import { ClientError } from './client.js';
import { ValidationError } from './domain.js';
import { ShopError } from './shop-error.js';
import { ShedError, WriteOutcomeUnknownError } from './store.js';

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
  const client = (message: string, extensions: Record<string, unknown>) =>
    new GraphQLError(message, { ...located, extensions });
  if (original instanceof ShopError) {
    if (original instanceof ShedError) {
      return {
        error: client(SHED_MESSAGE, {
          code: original.code,
          requestId,
          http: unavailable(original.retryAfterSeconds),
        }),
      };
    }
    if (original instanceof WriteOutcomeUnknownError) {
      return {
        error: client(OUTCOME_UNKNOWN_MESSAGE, { code: original.code, requestId }),
        cause: original,
      };
    }
    const field = original instanceof ValidationError ? { field: original.field } : {};
    return { error: client(original.message, { code: original.code, ...field }) };
  }
  if (original instanceof GraphQLError) {
    const code = original.extensions.code ?? 'BAD_USER_INPUT';
    return { error: client(original.message, { ...original.extensions, code }) };
  }
  if (isUnavailableError(original)) {
    return {
      error: client(UNAVAILABLE_MESSAGE, {
        code: 'SERVICE_UNAVAILABLE',
        requestId,
        http: unavailable(1),
      }),
      cause: original,
    };
  }
  return {
    error: client(INTERNAL_ERROR_MESSAGE, { code: 'INTERNAL_SERVER_ERROR', requestId }),
    cause: original,
  };
}

const unavailable = (retryAfterSeconds: number) => ({
  status: 503,
  headers: { 'retry-after': String(retryAfterSeconds) },
});

/**
 * A failure to authenticate, which ends the whole request: the client's (a bad token: its status,
 * 401, with the WWW-Authenticate challenge; `tokenPresented` says whether it is an invalid_token)
 * or not (a JWKS endpoint that cannot be reached: 500, the cause in the log).
 */
export function authenticationFailure(
  error: unknown,
  requestId: string,
  logger: Logger,
  tokenPresented: boolean,
): never {
  if (error instanceof ClientError) {
    const status = error.httpStatus ?? 400;
    const challenge =
      status === 401
        ? {
            headers: {
              'www-authenticate': bearerChallenge(
                tokenPresented ? { description: error.message } : undefined,
              ),
            },
          }
        : {};
    throw createGraphQLError(error.message, {
      extensions: { code: error.code, http: { status, ...challenge } },
    });
  }
  logger.error({ err: error, requestId }, 'could not authenticate the request');
  throw createGraphQLError(INTERNAL_ERROR_MESSAGE, {
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, http: { status: 500 } },
  });
}

/**
 * Yoga's `maskedErrors.maskError`: what escapes execution. Execution errors (they have a path)
 * were mapped by useErrorMasking, with the request id; GraphQL errors pass; anything else is
 * masked and logged.
 */
export function maskRequestError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    if (error instanceof GraphQLError) {
      if (error.path) return error;
      // Yoga's own request errors (invalid JSON, say) carry the parser's exception in
      // `extensions.originalError`: keep the message and code, drop the internals. In place,
      // because yoga logs every error that maskError replaces, and a client's bad JSON is
      // not worth an error line.
      if ('originalError' in error.extensions && !Object.isFrozen(error.extensions)) {
        delete (error.extensions as Record<string, unknown>).originalError;
      }
      if (
        !('originalError' in error.extensions) &&
        (!error.originalError || error.originalError instanceof GraphQLError)
      ) {
        return error;
      }
      // An error caused by another exception: the same message and code, without it.
      const { originalError: _dropped, ...extensions } = error.extensions;
      return createGraphQLError(error.message, {
        nodes: error.nodes,
        path: error.path,
        extensions,
      });
    }
    logger.error({ err: error }, 'unexpected error outside execution');
    return createGraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}

/**
 * A refusal at the HTTP edge, before GraphQL runs (over the body limit, shed, off the endpoint):
 * the same `{ errors: [{ message, extensions: { code } }] }` body a GraphQL error has.
 */
export function errorResponse(
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
  });
}
