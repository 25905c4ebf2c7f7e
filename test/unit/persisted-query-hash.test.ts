import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/app/trusted-documents.js';
import { persistedQueryHash } from '../../src/plugins/use-persisted-operations.js';

/** The form of a persisted query's hash, checked before it is looked up or made a Redis key. */
const HASH = sha256Hex('{ categories { slug } }');
const named = (sha256Hash: unknown, version: unknown = 1) => ({
  persistedQuery: { version, sha256Hash },
});

describe('persistedQueryHash', () => {
  it('is null when the request names no persisted query', () => {
    for (const extensions of [undefined, null, {}, { persistedQuery: null }, { other: 1 }]) {
      expect(persistedQueryHash(extensions)).toBeNull();
    }
  });

  it("gives a sha256's 64 lowercase hex digits back, for APQ's version 1 only", () => {
    expect(persistedQueryHash(named(HASH))).toBe(HASH);
    expect(persistedQueryHash(named(HASH, 2))).toBeNull();
  });

  it('refuses anything else with a 400 PERSISTED_QUERY_INVALID_HASH', () => {
    for (const hash of [
      HASH.toUpperCase(),
      HASH.slice(1),
      `${HASH}0`,
      `${HASH.slice(1)}g`,
      '',
      '*',
      `${HASH.slice(8)}:apq:*`,
      '../../etc/passwd',
      42,
      null,
      undefined,
    ]) {
      let thrown: unknown;
      try {
        persistedQueryHash(named(hash));
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(hash)).toBeInstanceOf(GraphQLError);
      expect((thrown as GraphQLError).extensions, String(hash)).toMatchObject({
        code: 'PERSISTED_QUERY_INVALID_HASH',
        http: { status: 400 },
      });
    }
    expect(() => persistedQueryHash({ persistedQuery: 'abc' })).toThrow(/64 lowercase hex/);
  });
});
