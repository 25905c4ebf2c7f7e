import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen`: what clients generate from schema/schema.graphql (itself written by
 * `npm run schema`). A test fails when a committed output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    // Apollo Client's `possibleTypes`: without them its cache cannot match `... on Error` (an
    // interface) against a union member, and drops those fields without a warning.
    'schema/possible-types.json': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3 },
    },
    // The storefront example's typed documents: `graphql(...)` returns a TypedDocumentNode.
    'examples/storefront/src/gql/': {
      preset: 'client',
      documents: ['examples/storefront/src/**/*.{ts,tsx}', '!examples/storefront/src/gql/**'],
      presetConfig: { fragmentMasking: false },
      config: { enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
