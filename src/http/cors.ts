import type { Config } from '../app/config.js';

/** Yoga's `cors` option: off without CORS_ORIGINS, else the listed origins only. */
export function corsOptions(config: Pick<Config, 'corsOrigins'>) {
  if (config.corsOrigins.length === 0) return false;
  return listedOriginsOnly(config.corsOrigins, {
    // PUT and DELETE, and the stream token: graphql-sse's single-connection mode.
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: [
      'content-type',
      'authorization',
      'x-request-id',
      'accept',
      'x-shop-cost',
      'x-graphql-event-stream-token',
    ],
    exposedHeaders: ['x-request-id'],
    credentials: false,
    maxAge: 600,
  });
}

/**
 * CORS headers for the listed origins only. Yoga alone answers an origin outside a list with
 * `access-control-allow-origin` set to the list's only entry, or to `null` (which the opaque
 * origin of a sandboxed page or a file matches); here such a request gets no CORS headers, so
 * the browser refuses it. For a listed origin, `origin: '*'` makes yoga echo it with
 * `Vary: Origin`.
 */
export function listedOriginsOnly<T extends object>(
  origins: string[],
  options: T,
): (request: Request) => (T & { origin: string }) | false {
  const any = origins.includes('*');
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && (any || origins.includes(origin))
      ? { ...options, origin: '*' }
      : false;
  };
}
