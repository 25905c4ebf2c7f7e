import { randomUUID } from 'node:crypto';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { errorResponse } from '../errors/to-graphql.js';

/** graphql-sse's stream token, as a header or a query parameter (EventSource cannot send headers). */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';
const STREAM_TOKEN_PARAM = 'token';

export interface SseSingleConnectionOptions {
  graphqlPath: string;
  /** Aborted at graceful shutdown: open streams end. */
  shutdown?: AbortSignal | undefined;
  /** Reservations (PUT) not yet connected (GET) at once; more get 503. */
  maxPendingReservations?: number;
  /** A reservation nobody connects to within this time is dropped. */
  reservationTtlMs?: number;
}

export const MAX_PENDING_RESERVATIONS = 1_000;
export const RESERVATION_TTL_MS = 30_000;

/**
 * graphql-sse's "single connection" mode on the GraphQL path, next to yoga's own SSE ("distinct
 * connections": `Accept: text/event-stream` and no token), which stays yoga's. Only a PUT
 * without a body (reserve a stream, get its token) and requests that carry a token (GET: the stream; POST: an
 * operation onto it; DELETE: stop one) go to @graphql-yoga/plugin-graphql-sse: given the path
 * alone, the plugin would take every request to it. It runs after the overload, body-limit and
 * refusal plugins (they check POSTs only: a PUT has no body to declare), and its operations go
 * through yoga's envelop (limits, masking, context).
 *
 * graphql-sse keeps a reservation until its stream connects, named by a Math.random token or by
 * the client's own: here the token is always the server's (a UUID from crypto), and
 * reservations are bounded and expire. A reservation lives in one process: behind several
 * replicas one token's PUT, GET and POSTs must reach the same one (sticky sessions).
 */
export function useSseSingleConnection(options: SseSingleConnectionOptions): Plugin {
  const maxPending = options.maxPendingReservations ?? MAX_PENDING_RESERVATIONS;
  const ttlMs = options.reservationTtlMs ?? RESERVATION_TTL_MS;
  const pending = new Map<string, NodeJS.Timeout>();
  const inner = useGraphQLSSE({
    endpoint: options.graphqlPath,
    authenticate(req) {
      if (req.method === 'PUT') {
        if (pending.size >= maxPending) {
          // graphql-sse answers a Response from authenticate as is (typed as another lib's).
          return errorResponse(
            503,
            'Too many event streams reserved; try again shortly',
            'SERVICE_UNAVAILABLE',
            { 'retry-after': '1' },
          ) as never;
        }
        const token = randomUUID();
        const expiry = setTimeout(() => void expire(token), ttlMs);
        expiry.unref();
        pending.set(token, expiry);
        return token;
      }
      const token = tokenOf(req.raw as Request) ?? '';
      if (req.method === 'GET') {
        clearTimeout(pending.get(token));
        pending.delete(token);
      }
      return token;
    },
  }) as Plugin;
  const onRequest = inner.onRequest as ((payload: unknown) => unknown) | undefined;
  if (!onRequest) throw new Error('@graphql-yoga/plugin-graphql-sse: no onRequest hook');

  /** Connects to the reservation and hangs up at once: graphql-sse then forgets it. */
  async function expire(token: string): Promise<void> {
    if (!pending.has(token)) return;
    let response: Response | undefined;
    const request = new Request(`http://localhost${options.graphqlPath}`, {
      headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: token },
    });
    await onRequest?.({
      request,
      url: new URL(request.url),
      serverContext: {},
      endResponse: (given: Response) => {
        response = given;
      },
    });
    await response?.body?.cancel().catch(() => undefined);
  }

  return {
    onYogaInit: inner.onYogaInit,
    onRequest(payload) {
      const { request, url } = payload;
      if (url.pathname !== options.graphqlPath) return;
      // A reservation is a PUT with no body; one with a body (a GraphQL request sent with the
      // wrong method) stays yoga's 405.
      const reserving = request.method === 'PUT' && !hasBody(request);
      if (!reserving && (request.method === 'PUT' || tokenOf(request) === undefined)) return;
      return onRequest({
        ...payload,
        endResponse: (response: Response) =>
          payload.endResponse(endsAtShutdown(response, options.shutdown)),
      }) as undefined;
    },
  };
}

function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  return (length !== null && length !== '0') || request.headers.has('transfer-encoding');
}

function tokenOf(request: Request): string | undefined {
  const header = request.headers.get(STREAM_TOKEN_HEADER);
  if (header) return header;
  return new URL(request.url).searchParams.get(STREAM_TOKEN_PARAM) || undefined;
}

/** An event stream that ends when `signal` aborts (graphql-sse's stays open while the client does). */
function endsAtShutdown(response: Response, signal: AbortSignal | undefined): Response {
  const body = response.body;
  if (!signal || !body || !response.headers.get('content-type')?.includes('event-stream')) {
    return response;
  }
  const reader = body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  const stream = new ReadableStream<Uint8Array>({
    start() {
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (value) controller.enqueue(value);
      if (done) {
        signal.removeEventListener('abort', stop);
        controller.close();
      }
    },
    async cancel(reason) {
      signal.removeEventListener('abort', stop);
      await reader.cancel(reason);
    },
  });
  return new Response(stream, response);
}
