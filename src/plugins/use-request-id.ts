import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../app/logger.js';

/** What a client may send as `x-request-id`; anything else is replaced by a new id. */
export const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface RequestIds {
  /** The request's id: the client's if well-formed, else a new one. */
  idOf(request: Request): string | undefined;
  /** When the request arrived (performance.now()). */
  startedAt(request: Request): number | undefined;
}

/** A request id for every request, echoed in `x-request-id`, and one access log line. */
export function useRequestId(logger: Logger): Plugin & RequestIds {
  const ids = new WeakMap<Request, string>();
  const started = new WeakMap<Request, number>();
  return {
    idOf: (request) => ids.get(request),
    startedAt: (request) => started.get(request),
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      ids.set(request, given && REQUEST_ID.test(given) ? given : randomUUID());
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set('x-request-id', id);
      if (logger.isLevelEnabled('info')) {
        const began = started.get(request);
        logger.info(
          {
            requestId: id,
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            ms: began === undefined ? undefined : Math.round(performance.now() - began),
          },
          'request',
        );
      }
    },
  };
}
