import type { Plugin } from 'graphql-yoga';
import type { Config } from '../app/config.js';

/**
 * HTTP caching for CDNs and browsers, agreeing with the response cache
 * (use-public-response-cache.ts):
 * - an anonymous GET query answered without errors is `public, max-age=<RESPONSE_CACHE_TTL>`
 *   with as long a `stale-while-revalidate`; anything else on /graphql is `no-store`, and a
 *   request with a token `private, no-store`;
 * - the response cache's ETag is quoted (RFC 9110), and a matching `If-None-Match` gets 304;
 * - `Vary` names what the answer depends on: Accept, Authorization and, under per-origin CORS,
 *   Origin.
 */
export function useHttpCaching(
  config: Pick<Config, 'responseCacheTtlSeconds'>,
  graphqlPath = '/graphql',
): Plugin {
  const ttl = config.responseCacheTtlSeconds;
  const publicAnswers = new WeakSet<Request>();
  return {
    onResultProcess({ request, result }) {
      if (request.method !== 'GET' || request.headers.get('authorization')) return;
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      if (!result.errors?.length && result.data) publicAnswers.add(request);
    },
    onResponse({ request, response, setResponse }) {
      if (new URL(request.url).pathname !== graphqlPath) return;
      const headers = response.headers;
      headers.set('vary', mergeVary(headers.get('vary'), varyFor(headers)));
      const type = headers.get('content-type') ?? '';
      const streaming = type.includes('text/event-stream') || type.includes('multipart/mixed');
      const anonymous = !request.headers.get('authorization');
      const cacheable =
        ttl > 0 &&
        anonymous &&
        !streaming &&
        (publicAnswers.has(request) || (response.status === 304 && request.method === 'GET'));
      headers.set(
        'cache-control',
        cacheable
          ? `public, max-age=${ttl}, stale-while-revalidate=${ttl}`
          : anonymous
            ? 'no-store'
            : 'private, no-store',
      );
      const etag = headers.get('etag');
      if (!etag) return;
      const quoted = quoteEtag(etag);
      // The response cache sets `ETag` in a plain header object: delete it by name, or the
      // quoted value would go out beside the bare one.
      headers.delete('ETag');
      headers.delete('etag');
      headers.set('etag', quoted);
      if (
        cacheable &&
        response.status === 200 &&
        etagMatches(request.headers.get('if-none-match'), quoted)
      ) {
        const kept = new Headers();
        for (const name of ['etag', 'cache-control', 'vary', 'last-modified']) {
          const value = headers.get(name);
          if (value !== null) kept.set(name, value);
        }
        setResponse(new Response(null, { status: 304, headers: kept }));
      }
    },
  };
}

function varyFor(headers: Headers): string[] {
  const origin = headers.get('access-control-allow-origin');
  return origin && origin !== '*'
    ? ['Accept', 'Authorization', 'Origin']
    : ['Accept', 'Authorization'];
}

/** `existing` plus `names`, each once, compared case-insensitively. */
export function mergeVary(existing: string | null, names: string[]): string {
  const all = [...(existing ?? '').split(','), ...names].map((name) => name.trim()).filter(Boolean);
  if (all.includes('*')) return '*';
  const seen = new Map<string, string>();
  for (const name of all) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()].join(', ');
}

/** A strong ETag in RFC 9110's form: `"…"` (one already quoted, or weak, is left as it is). */
export function quoteEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag.replace(/"/g, '')}"`;
}

/** RFC 9110's weak comparison of If-None-Match against an ETag: `*`, or any listed tag. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}
