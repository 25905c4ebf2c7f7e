import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { cacheControl, entityTag, ifNoneMatchMatches, mergeVary } from '../http/caching.js';

export interface HttpCachingOptions {
  graphqlPath: string;
  /** The response cache's TTL (RESPONSE_CACHE_TTL_SECONDS): a CDN keeps a read no longer. */
  ttlSeconds: number;
  /** How long a CDN may serve a read past max-age while it fetches it again; default: the TTL. */
  staleWhileRevalidateSeconds?: number;
  /** CORS answers per origin (src/http/cors.ts): the response varies on Origin too. */
  corsPerOrigin: boolean;
}

/**
 * HTTP caching headers for a CDN or a browser in front of the gateway, which yoga leaves to
 * the application. Every GraphQL response gets Cache-Control and Vary (see cacheControl in
 * src/http/caching.ts); an anonymous GET that succeeded gets a strong ETag of its data, and
 * If-None-Match that matches it a 304 without a body, whether the answer came from the
 * response cache or fresh from DynamoDB (the query still runs: a 304 saves the bytes, not the
 * read).
 *
 * Replaces the response cache plugin's validators: its ETag is its cache key, the hash of the
 * question (unquoted, against RFC 9110), which would stay the same when the answer changes; its
 * Last-Modified is when this replica cached it. Its own If-None-Match lookup (by that key)
 * never matches a tag from here.
 */
export function useHttpCaching(options: HttpCachingOptions): Plugin {
  const ttl = {
    ttlSeconds: options.ttlSeconds,
    staleWhileRevalidateSeconds: options.staleWhileRevalidateSeconds ?? options.ttlSeconds,
  };
  const vary = ['Accept', 'Authorization', ...(options.corsPerOrigin ? ['Origin'] : [])];
  /** The serialized `data` of each anonymous GET that succeeded, for its ETag. */
  const succeeded = new WeakMap<Request, string>();
  // Marked here, where the URL is parsed already: onResponse has only the string.
  const onEndpoint = new WeakSet<Request>();
  return {
    onRequest({ request, url }) {
      if (url.pathname === options.graphqlPath) onEndpoint.add(request);
    },
    onResultProcess({ request, result }) {
      if (request.method !== 'GET' || authorized(request)) return;
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      if (result.errors?.length || result.data == null) return;
      succeeded.set(request, JSON.stringify(result.data));
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method === 'OPTIONS') return;
      const { headers } = response;
      // Elsewhere (/health, /ready, /metrics) the handlers say; a refusal is never kept (nor
      // one an earlier plugin ended in onRequest, before this one marked it).
      if (!onEndpoint.has(request)) {
        if (response.status >= 400) headers.set('cache-control', 'no-store');
        return;
      }
      headers.set('vary', mergeVary(headers.get('vary'), vary));
      const mediaType = headers.get('content-type') ?? '';
      const stream = /^(text\/event-stream|multipart\/mixed)/i.test(mediaType);
      const data = succeeded.get(request);
      headers.delete('last-modified');
      if (stream) {
        // The response cache's tag reaches a stream too (yoga's SSE processor sends the result's
        // headers); a stream has no validator.
        headers.delete('etag');
        if (headers.has('cache-control')) return;
      }
      const policy = cacheControl(
        {
          method: request.method,
          authorized: authorized(request),
          status: response.status,
          succeeded: data !== undefined,
          stream,
        },
        ttl,
      );
      headers.set('cache-control', policy);
      if (data === undefined || policy.includes('no-store')) {
        headers.delete('etag');
        return;
      }
      const etag = entityTag(mediaType, data);
      headers.set('etag', etag);
      if (!ifNoneMatchMatches(request.headers.get('if-none-match'), etag)) return;
      // RFC 9110 15.4.5: the headers a 200 would have had (ETag, Cache-Control, Vary), no body.
      const notModified = new fetchAPI.Headers(headers);
      notModified.delete('content-type');
      notModified.delete('content-length');
      setResponse(new fetchAPI.Response(null, { status: 304, headers: notModified }));
    },
  };
}

const authorized = (request: Request) => (request.headers.get('authorization') ?? '').trim() !== '';
