import type { Plugin } from 'graphql-yoga';
import type { Admission } from './dynamo/admission.js';
import { SHED_MESSAGE } from './graphql-errors.js';

/**
 * Sheds a GraphQL request before any work on it (parsing, validation, resolvers) when the
 * DynamoDB calls already waiting would take longer than its whole deadline: 503 with
 * Retry-After, the same answer admission gives a call it sheds, only cheaper. Health,
 * readiness and metrics are never shed: they are how an operator sees the overload.
 */
export function overloadPlugin(
  admission: Admission,
  options: { graphqlPath: string; deadlineMs: number },
): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== options.graphqlPath || request.method === 'OPTIONS') return;
      if (!admission.wouldShed(options.deadlineMs)) return;
      const retryAfter = admission.shedRequest();
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [{ message: SHED_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }],
          }),
          {
            status: 503,
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'retry-after': String(retryAfter),
            },
          },
        ),
      );
    },
  };
}
