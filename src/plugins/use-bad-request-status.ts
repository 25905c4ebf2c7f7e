import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { errorResponse } from '../errors/to-graphql.js';

/**
 * A request the server cannot read is the client's 400, whatever it accepts:
 * - yoga marks `http.spec` the errors that application/json answers with 200: syntax and
 *   validation errors (the spec says 200 there, and so for our query limits), but also its
 *   BAD_REQUEST ones, a body that is not JSON or has no query, where the GraphQL over HTTP spec
 *   says a JSON parsing failure SHOULD be 400 (graphql-http's audit BCF8). The mark is taken off
 *   those only;
 * - a POST with an empty body (Content-Length: 0) is refused before yoga parses it, with a
 *   message that says what is missing rather than yoga's "invalid JSON".
 */
export function useBadRequestStatus(graphqlPath: string): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (
        request.method === 'POST' &&
        url.pathname === graphqlPath &&
        request.headers.get('content-length') === '0'
      ) {
        endResponse(
          errorResponse(
            400,
            'The POST body is empty: send a JSON object with a `query`',
            'BAD_REQUEST',
          ),
        );
      }
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors?.length) return;
      if (!result.errors.some(isSpecMarked)) return;
      setResult({
        ...result,
        errors: result.errors.map((error) => {
          if (!isSpecMarked(error)) return error;
          const { spec: _spec, ...http } = error.extensions.http as Record<string, unknown>;
          return new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { ...error.extensions, http },
          });
        }),
      });
    },
  };
}

const isSpecMarked = (error: { extensions?: Record<string, unknown> }): boolean =>
  error.extensions?.code === 'BAD_REQUEST' &&
  (error.extensions.http as { spec?: unknown } | undefined)?.spec === true;
