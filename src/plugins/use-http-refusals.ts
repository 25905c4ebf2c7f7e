import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { errorResponse } from '../errors/to-graphql.js';

/**
 * Refusals at the HTTP edge that yoga leaves bare or gets wrong:
 * - 415 (unsupported content type), 406 (unacceptable Accept) and 404 (off the endpoint) come
 *   without a body: they get a JSON error body like every other refusal;
 * - a POST whose Accept admits no GraphQL response is refused (406) before it runs: yoga would
 *   execute it, a mutation too, and only then answer 406;
 * - bad JSON in a GET's `variables` or `extensions` is the client's 400, not an unexpected error.
 */
export function useHttpRefusals(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const accept = request.headers.get('accept');
      if (accept === null || accept.trim() === '' || acceptsGraphQLResponse(accept)) return;
      endResponse(refusal(406, { accept: ACCEPTABLE.join(', ') }));
    },
    // Yoga's GET and form parsers JSON.parse `variables` and `extensions` unguarded: bad JSON
    // there would be an unexpected error (masked, logged), not the client's 400.
    onRequestParse({ request, requestParser, setRequestParser }) {
      // A JSON or GraphQL POST body: yoga's own parser answers bad JSON with its 400.
      if (
        !requestParser ||
        (request.method === 'POST' && PARSED_BY_YOGA.test(contentType(request)))
      )
        return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError('The variables or extensions parameter is not valid JSON.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
    onResponse({ response, setResponse }) {
      const { status } = response;
      if (!(status in REFUSALS) || response.headers.get('content-type')?.includes('json')) return;
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (name !== 'content-type' && name !== 'content-length') headers[name] = value;
      });
      setResponse(refusal(status, headers));
    },
  };
}

const PARSED_BY_YOGA = /^\s*application\/(json|graphql\+json|graphql)\s*(;|$)/i;
const contentType = (request: Request) => request.headers.get('content-type') ?? '';

/** The media types yoga can answer a GraphQL request with (see its result processors). */
const ACCEPTABLE = [
  'application/graphql-response+json',
  'application/json',
  'text/event-stream',
  'multipart/mixed',
];

function acceptsGraphQLResponse(accept: string): boolean {
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === '*/*' || ACCEPTABLE.includes(type)) return true;
    const [main, sub] = type.split('/');
    return sub === '*' && ACCEPTABLE.some((acceptable) => acceptable.startsWith(`${main}/`));
  });
}

const REFUSALS: Record<number, [message: string, code: string]> = {
  404: ['Not found: GraphQL is served at /graphql', 'NOT_FOUND'],
  // Every type the server answers with; a subscription streams (the last two), so an Accept of
  // JSON alone gets 406 for one and must learn what it lacks.
  406: [
    `Not acceptable: accept one of ${ACCEPTABLE.join(', ')} (a subscription: text/event-stream or multipart/mixed)`,
    'NOT_ACCEPTABLE',
  ],
  415: [
    'Unsupported content type: send application/json (or application/graphql+json)',
    'UNSUPPORTED_MEDIA_TYPE',
  ],
};

function refusal(status: number, headers: Record<string, string>): Response {
  const [message, code] = REFUSALS[status] ?? ['Bad request', 'BAD_REQUEST'];
  return errorResponse(status, message, code, headers);
}
