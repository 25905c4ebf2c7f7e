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

const hashOf = (extensions: unknown): string | null => {
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } })
    ?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string'
    ? persisted.sha256Hash
    : null;
};

/**
 * Persisted operations, on yoga's plugin:
 * - `trusted` given (TRUSTED_DOCUMENTS): only the manifest's operations run, by hash; any other
 *   text is refused, and nothing can be registered.
 * - else Apollo's automatic persisted queries: a hash the store does not know answers
 *   PERSISTED_QUERY_NOT_FOUND, the client resends it with its text, which is checked against
 *   the hash and stored; the next send is the hash alone.
 */
export function usePersistedQueries(options: {
  store: OperationStore;
  trusted: Map<string, string> | undefined;
}): Plugin[] {
  const { store, trusted } = options;
  if (trusted) {
    return [
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
  // A text is kept only once it has parsed and passed validation (the query limits too): what
  // a client registers cannot be more than what it could run.
  const pending = new WeakMap<object, { hash: string; text: string }>();
  const register: Plugin = {
    onParams({ params, context }) {
      const hash = hashOf(params.extensions);
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
