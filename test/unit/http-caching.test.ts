import { describe, expect, it } from 'vitest';
import { bearerChallenge } from '../../src/auth/challenge.js';
import {
  type CacheFacts,
  cacheControl,
  entityTag,
  ifNoneMatchMatches,
  mergeVary,
} from '../../src/http/caching.js';

describe('entityTag', () => {
  it('is a quoted strong tag that changes with the data and the media type only', () => {
    const tag = entityTag('application/json', '{"a":1}');
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(entityTag('application/json', '{"a":1}')).toBe(tag);
    expect(entityTag('application/json', '{"a":2}')).not.toBe(tag);
    expect(entityTag('application/graphql-response+json', '{"a":1}')).not.toBe(tag);
  });
});

describe('ifNoneMatchMatches (RFC 9110 13.1.2)', () => {
  const tag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['*', true],
    [' * ', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" , "y"', true],
    ['"x"', false],
    ['abc', false], // unquoted: not an entity tag
    ['"ab"', false],
    ['"abc', false],
    ['"x" "abc"', false], // not a list
    ['', false],
  ])('%j against "abc": %s', (header, expected) => {
    expect(ifNoneMatchMatches(header, tag)).toBe(expected);
  });

  it('compares weakly: a weak current tag matches its strong form', () => {
    expect(ifNoneMatchMatches('"abc"', 'W/"abc"')).toBe(true);
  });

  it('no header, or a current tag that is not one, never matches', () => {
    expect(ifNoneMatchMatches(null, tag)).toBe(false);
    expect(ifNoneMatchMatches('"abc"', 'abc')).toBe(false);
  });
});

describe('mergeVary', () => {
  it('adds each name once, case-insensitively, after what is there', () => {
    expect(mergeVary(null, ['Accept', 'Authorization'])).toBe('Accept, Authorization');
    expect(mergeVary('Origin', ['Accept', 'Authorization', 'Origin'])).toBe(
      'Origin, Accept, Authorization',
    );
    expect(mergeVary('origin, accept', ['Accept', 'Origin'])).toBe('origin, accept');
    expect(mergeVary(' , Accept-Encoding,', ['Accept'])).toBe('Accept-Encoding, Accept');
  });

  it('keeps `*`, which already varies on everything', () => {
    expect(mergeVary('*', ['Accept'])).toBe('*');
    expect(mergeVary('Origin, *', ['Accept'])).toBe('*');
  });
});

describe('cacheControl', () => {
  const ttl = { ttlSeconds: 30, staleWhileRevalidateSeconds: 60 };
  const anonymousGet: CacheFacts = {
    method: 'GET',
    authorized: false,
    status: 200,
    succeeded: true,
    stream: false,
  };

  it('an anonymous GET that succeeded is public for the TTL, then stale while revalidating', () => {
    expect(cacheControl(anonymousGet, ttl)).toBe('public, max-age=30, stale-while-revalidate=60');
    expect(cacheControl(anonymousGet, { ttlSeconds: 30, staleWhileRevalidateSeconds: 0 })).toBe(
      'public, max-age=30',
    );
  });

  it('with the response cache off, must be revalidated every time', () => {
    expect(cacheControl(anonymousGet, { ttlSeconds: 0, staleWhileRevalidateSeconds: 0 })).toBe(
      'no-cache',
    );
  });

  it('anything with an Authorization header is private, no-store, success or not', () => {
    expect(cacheControl({ ...anonymousGet, authorized: true }, ttl)).toBe('private, no-store');
    expect(cacheControl({ ...anonymousGet, authorized: true, status: 401 }, ttl)).toBe(
      'private, no-store',
    );
  });

  it('a POST, an error, a partial result, a refusal or a stream is no-store', () => {
    for (const facts of [
      { ...anonymousGet, method: 'POST' },
      { ...anonymousGet, succeeded: false },
      { ...anonymousGet, status: 400, succeeded: false },
      { ...anonymousGet, status: 503 },
      { ...anonymousGet, stream: true },
    ]) {
      expect(cacheControl(facts, ttl), JSON.stringify(facts)).toBe('no-store');
    }
  });
});

describe('bearerChallenge (RFC 6750 3)', () => {
  it('names the realm, and says invalid_token and why when a token was refused', () => {
    expect(bearerChallenge()).toBe('Bearer realm="shop"');
    expect(bearerChallenge({ description: 'Token expired' })).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="Token expired"',
    );
  });

  it('keeps the description inside its quoted string', () => {
    const header = bearerChallenge({ description: 'bad "sub" \\ claim\n' });
    expect(header).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="bad \'sub\' \' claim\'"',
    );
  });
});
