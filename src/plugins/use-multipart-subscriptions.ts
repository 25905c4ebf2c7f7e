import type { ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

const BOUNDARY = 'graphql';
/** Apollo's protocol: an empty part now and then keeps proxies from closing an idle response. */
export const HEARTBEAT_MS = 5_000;

/**
 * Subscriptions over multipart HTTP, the protocol of Apollo Client's HttpLink
 * (`Accept: multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json`).
 * Yoga streams multipart for @defer and @stream only: for a subscription it offers SSE alone, so
 * Apollo's request got 406. Here a subscription whose Accept admits multipart/mixed (and no
 * processor yoga chose, SSE first) streams each event as `{"payload": <result>}`, a heartbeat
 * `{}` every 5 s, and an error that ends the stream as `{"payload": null, "errors": [...]}`.
 */
export function useMultipartSubscriptions(heartbeatMs = HEARTBEAT_MS): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor || !isAsyncIterable(result) || !acceptsMultipart(request)) return;
      setResultProcessor(
        (stream, fetchAPI) =>
          multipartResponse(stream as AsyncIterable<ExecutionResult>, fetchAPI, heartbeatMs),
        'multipart/mixed',
      );
    },
  };
}

function acceptsMultipart(request: Request): boolean {
  return (request.headers.get('accept') ?? '')
    .split(',')
    .some((part) => part.split(';')[0]?.trim().toLowerCase() === 'multipart/mixed');
}

function multipartResponse(
  results: AsyncIterable<ExecutionResult>,
  fetchAPI: { Response: typeof Response; ReadableStream: typeof ReadableStream },
  heartbeatMs: number,
): Response {
  const encoder = new TextEncoder();
  const part = (body: unknown) =>
    encoder.encode(
      `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}`,
    );
  const iterator = results[Symbol.asyncIterator]();
  let heartbeat: NodeJS.Timeout | undefined;
  const stop = () => clearInterval(heartbeat);
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      heartbeat = setInterval(() => controller.enqueue(part({})), heartbeatMs);
      heartbeat.unref();
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (!next.done) {
          controller.enqueue(part({ payload: publicResult(next.value) }));
          return;
        }
      } catch {
        // The event stream failed (masked errors arrive inside results, not here).
        controller.enqueue(
          part({ payload: null, errors: [{ message: 'The subscription ended unexpectedly' }] }),
        );
      }
      stop();
      controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`));
      controller.close();
    },
    async cancel() {
      stop();
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'content-type': `multipart/mixed; boundary="${BOUNDARY}"; subscriptionSpec="1.0"`,
      'cache-control': 'no-store',
      connection: 'keep-alive',
    },
  });
}

/** The result as a client sees it: no `http` extension (yoga's processors drop it too). */
function publicResult(result: ExecutionResult): unknown {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error: GraphQLError) => {
      const json = error.toJSON();
      if (!json.extensions?.http) return json;
      const { http: _http, ...extensions } = json.extensions;
      return { ...json, extensions };
    }),
  };
}
