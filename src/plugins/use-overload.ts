import type { Plugin } from 'graphql-yoga';
import { errorResponse, SHED_MESSAGE } from '../errors/to-graphql.js';
import type { Admission } from '../store/admission.js';

/**
 * Sheds a GraphQL request before any work on it (parsing, validation, resolvers) when the
 * DynamoDB calls already waiting would take longer than its whole deadline: 503 with
 * Retry-After, the same answer admission gives a call it sheds, only cheaper. Health,
 * readiness and metrics are never shed: they are how an operator sees the overload.
 */
export function useOverload(
  admission: Admission,
  options: { graphqlPath: string; deadlineMs: number },
): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== options.graphqlPath || request.method === 'OPTIONS') return;
      if (!admission.wouldShed(options.deadlineMs)) return;
      const retryAfter = admission.shedRequest();
      endResponse(
        errorResponse(503, SHED_MESSAGE, 'SERVICE_UNAVAILABLE', {
          'retry-after': String(retryAfter),
        }),
      );
    },
  };
}
