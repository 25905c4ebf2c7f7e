import type { Plugin } from 'graphql-yoga';
import { errorResponse } from '../errors/to-graphql.js';

/**
 * Refuses a body over the limit before it is read; a POST must say how long its body is. Node's
 * HTTP parser never delivers more than declared, so the declared length is the limit's check.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const header = request.headers.get('content-length');
      if (header === null) {
        endResponse(
          errorResponse(411, 'A POST request needs a Content-Length header', 'LENGTH_REQUIRED'),
        );
        return;
      }
      const length = Number(header);
      if (!Number.isSafeInteger(length) || length < 0) {
        endResponse(errorResponse(400, 'Invalid Content-Length header', 'BAD_REQUEST'));
      } else if (length > maxBytes) {
        endResponse(
          errorResponse(
            413,
            `The request body is larger than ${maxBytes} bytes`,
            'PAYLOAD_TOO_LARGE',
          ),
        );
      }
    },
  };
}
