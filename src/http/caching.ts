import { createHash } from 'node:crypto';

/**
 * The pure parts of HTTP caching (RFC 9110, RFC 9111): entity tags, If-None-Match, Vary and
 * the Cache-Control a GraphQL response gets. src/plugins/use-http-caching.ts applies them.
 */

/**
 * A strong entity tag for a representation: the media type and the serialized `data`. Not the
 * response cache's key, which names the question (document and variables), not the answer: an
 * invalidated and re-read product would keep its old tag.
 */
export function entityTag(mediaType: string, data: string): string {
  const digest = createHash('sha256').update(mediaType).update('\n').update(data).digest();
  // 128 bits are plenty to tell versions of one URL apart.
  return `"${digest.subarray(0, 16).toString('base64url')}"`;
}

/**
 * If-None-Match against the current representation's tag (RFC 9110 13.1.2): `*` matches any
 * current representation, a list matches when one member does, by weak comparison (a `W/`
 * prefix on either side is ignored). A malformed member matches nothing.
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  const current = opaqueTag(etag);
  if (current === undefined) return false;
  for (const match of trimmed.matchAll(ENTITY_TAG_IN_LIST)) {
    if (match[1] === current) return true;
  }
  return false;
}

// `W/"…"` or `"…"`; etagc is any visible character but `"`, which also keeps a comma inside
// a tag from splitting it.
const ENTITY_TAG_IN_LIST = /(?:^|,)\s*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?=,|$)/g;

function opaqueTag(etag: string): string | undefined {
  return /^(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/.exec(etag.trim())?.[1];
}

/**
 * `existing` (a Vary header or null) with `names` added, each once, case-insensitively; `*`
 * stays `*` (it already varies on everything).
 */
export function mergeVary(existing: string | null, names: readonly string[]): string {
  const present = (existing ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (present.includes('*')) return '*';
  const seen = new Set(present.map((name) => name.toLowerCase()));
  for (const name of names) {
    if (!seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      present.push(name);
    }
  }
  return present.join(', ');
}

/** What the caching rules need to know of a response to a GraphQL request. */
export interface CacheFacts {
  method: string;
  /** The request had an Authorization header (a token, valid or not). */
  authorized: boolean;
  status: number;
  /** One result with `data` and no errors (not a stream, not a request error). */
  succeeded: boolean;
  /** text/event-stream or multipart/mixed. */
  stream: boolean;
}

/**
 * The Cache-Control of a response to a GraphQL request:
 * - with an Authorization header, `private, no-store`: the answer may be the viewer's, and
 *   neither a CDN nor the browser's disk should keep it;
 * - a stream, a POST (mutations, and queries a CDN cannot key), a refusal, an error or a
 *   partial result: `no-store` (an error is not worth keeping, and a cached one would outlive
 *   its cause);
 * - an anonymous GET that succeeded: public for as long as the response cache keeps it
 *   (`ttlSeconds`), then served stale for `staleWhileRevalidateSeconds` while the cache
 *   fetches it again; with the response cache off (ttl 0), `no-cache`: a cache may keep it but
 *   must revalidate it (If-None-Match) every time.
 */
export function cacheControl(
  facts: CacheFacts,
  ttl: { ttlSeconds: number; staleWhileRevalidateSeconds: number },
): string {
  if (facts.authorized) return 'private, no-store';
  if (facts.stream || facts.method !== 'GET' || facts.status !== 200 || !facts.succeeded) {
    return 'no-store';
  }
  if (ttl.ttlSeconds <= 0) return 'no-cache';
  const stale =
    ttl.staleWhileRevalidateSeconds > 0
      ? `, stale-while-revalidate=${ttl.staleWhileRevalidateSeconds}`
      : '';
  return `public, max-age=${ttl.ttlSeconds}${stale}`;
}
