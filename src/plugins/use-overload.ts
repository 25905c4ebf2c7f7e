import type { Plugin } from 'graphql-yoga';
import { errorResponse, SHED_MESSAGE } from '../errors/to-graphql.js';
import type { Admission } from '../store/admission.js';

/**
 * The decision to shed a new request before any work on it, shared by HTTP (useOverload) and
 * graphql-ws (src/http/websocket.ts): its Retry-After in seconds when the DynamoDB calls already
 * waiting would take longer than the request's whole deadline (the shed is counted), else
 * undefined.
 */
export type OverloadCheck = () => number | undefined;

export function overloadCheck(admission: Admission, deadlineMs: number): OverloadCheck {
  return () => (admission.wouldShed(deadlineMs) ? admission.shedRequest() : undefined);
}

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
  const overloaded = overloadCheck(admission, options.deadlineMs);
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== options.graphqlPath || request.method === 'OPTIONS') return;
      const retryAfter = overloaded();
      if (retryAfter === undefined) return;
      endResponse(
        errorResponse(503, SHED_MESSAGE, 'SERVICE_UNAVAILABLE', {
          'retry-after': String(retryAfter),
        }),
      );
    },
  };
}
