import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { sha256Hex } from '../app/trusted-documents.js';
import type { OperationStore } from '../fleet/operation-store.js';

/** Apollo's PersistedQueryLink resends the full text on exactly this message or code. */
const NOT_FOUND = {
  message: 'PersistedQueryNotFound',
  extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200 } },
};
const NO_QUERY = {
  message: 'Must provide query string.',
  extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
};

const NOT_SUPPORTED = {
  message: 'PersistedQueryNotSupported',
  extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED', http: { status: 200 } },
};

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The sha256 a request names in `extensions.persistedQuery`, checked before anything looks it
 * up or builds a Redis key of it: null when the request names none (or a version other than
 * APQ's 1, which yoga's plugin ignores too). A malformed one is the client's error: 400, and no
 * store is asked.
 */
export function persistedQueryHash(extensions: unknown): string | null {
  const persisted = (extensions as { persistedQuery?: unknown } | null | undefined)?.persistedQuery;
  if (persisted === undefined || persisted === null) return null;
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  if (typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
    throw createGraphQLError(
      'extensions.persistedQuery.sha256Hash must be a sha256: 64 lowercase hexadecimal characters',
      { extensions: { code: 'PERSISTED_QUERY_INVALID_HASH', http: { status: 400 } } },
    );
  }
  return version === 1 ? sha256Hash : null;
}

/** With APQ off, a hash is refused before anything reads it, whatever its form. */
const refuseHashes: Plugin = {
  onParams({ params }) {
    const extensions = params.extensions as { persistedQuery?: unknown } | undefined;
    if (extensions?.persistedQuery != null) {
      throw createGraphQLError(NOT_SUPPORTED.message, NOT_SUPPORTED);
    }
  },
};

/** Runs before yoga's plugin, whose lookup would take any string as a key. */
const checkHash: Plugin = {
  onParams({ params }) {
    persistedQueryHash(params.extensions);
  },
};

/**
 * Persisted operations, on yoga's plugin:
 * - `trusted` given (TRUSTED_DOCUMENTS): only the manifest's operations run, by hash; any other
 *   text is refused, and nothing can be registered.
 * - else, with `apq` (PERSISTED_QUERIES=on), Apollo's automatic persisted queries: a hash the
 *   store does not know answers PERSISTED_QUERY_NOT_FOUND, the client resends it with its text,
 *   which is checked against the hash and stored; the next send is the hash alone.
 * - else a request carrying a hash answers PERSISTED_QUERY_NOT_SUPPORTED, on which Apollo's
 *   link sends the text and stops sending hashes (as Apollo Server with APQ off).
 * Hashes are checked for their form first (persistedQueryHash).
 */
export function usePersistedQueries(options: {
  store: OperationStore;
  trusted: Map<string, string> | undefined;
  apq: boolean;
}): Plugin[] {
  const { store, trusted } = options;
  if (trusted) {
    return [
      checkHash,
      usePersistedOperations({
        getPersistedOperation: (hash) => trusted.get(hash) ?? null,
        allowArbitraryOperations: false,
        customErrors: {
          // Not Apollo's "PersistedQueryNotFound": its link would resend the text, refused too.
          notFound: {
            message: 'This hash is not one of the trusted documents.',
            extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } },
          },
          persistedQueryOnly: {
            message:
              'Only trusted documents run here: send the hash of an operation of the manifest in extensions.persistedQuery.sha256Hash, without the query text.',
            extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
          },
          keyNotFound: NO_QUERY,
        },
      }) as Plugin,
    ];
  }
  if (!options.apq) return [refuseHashes];
  // A text is kept only once it has parsed and passed validation (the query limits too): what
  // a client registers cannot be more than what it could run.
  const pending = new WeakMap<object, { hash: string; text: string }>();
  const register: Plugin = {
    onParams({ params, context }) {
      const hash = persistedQueryHash(params.extensions);
      if (hash === null || typeof params.query !== 'string') return;
      if (sha256Hex(params.query) !== hash) {
        throw createGraphQLError('provided sha does not match query', {
          extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH', http: { status: 400 } },
        });
      }
      pending.set(context, { hash, text: params.query });
    },
    onValidate({ context }) {
      const registration = pending.get(context);
      if (!registration) return;
      return ({ valid }) => {
        if (valid) void store.set(registration.hash, registration.text);
      };
    },
  };
  return [
    register,
    usePersistedOperations({
      getPersistedOperation: (hash) => store.get(hash),
      allowArbitraryOperations: true,
      customErrors: { notFound: NOT_FOUND, keyNotFound: NO_QUERY },
    }) as Plugin,
  ];
}
