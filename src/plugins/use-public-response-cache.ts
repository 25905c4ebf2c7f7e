import { type Cache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Config } from '../app/config.js';
import type { Context } from '../app/context.js';
import { sha256Hex } from '../app/trusted-documents.js';
import { isSocketRequest } from '../http/websocket.js';
import { STREAM_TOKEN_HEADER } from './use-sse-single-connection.js';

/**
 * Public catalog reads: anonymous requests only (nothing private can be in them), kept for
 * RESPONSE_CACHE_TTL_SECONDS, invalidated by our mutations' results (useWriteInvalidation) and
 * by the stream. Not installed at all when the TTL is 0: the plugin hashes every request's
 * document and variables before it asks `enabled`.
 */
export function usePublicResponseCache(
  cache: Cache,
  config: Pick<Config, 'responseCacheTtlSeconds' | 'isProduction'>,
) {
  if (config.responseCacheTtlSeconds <= 0) return [];
  return [
    useResponseCache<Context>({
      cache,
      session: () => null,
      // Not for operations outside yoga's request pipeline: a socket's, or one sent onto a
      // graphql-sse stream (its token header), whose results the cache cannot key or serve.
      enabled: (request) =>
        !request.headers.get('authorization') &&
        !isSocketRequest(request) &&
        !request.headers.has(STREAM_TOKEN_HEADER),
      // Only a request that may be cached needs a key (see above). The plugin's own hashSHA256
      // gives the same hex digest through WebCrypto: a promise and a copy of the text per request.
      buildResponseCacheKey: ({ request, documentString, operationName, variableValues }) =>
        request.headers.get('authorization')
          ? 'not-cached'
          : sha256Hex(
              `${documentString}|${operationName ?? ''}|${JSON.stringify(variableValues ?? {})}`,
            ),
      ttl: config.responseCacheTtlSeconds * 1_000,
      // Orders and profiles are never public; stated anyway, should that ever change.
      ttlPerSchemaCoordinate: { Order: 0, Cart: 0 },
      includeExtensionMetadata: !config.isProduction,
    }),
  ];
}
