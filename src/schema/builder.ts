import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Context } from '../app/context.js';
import { validationErrorFromIssues } from '../domain/validation-issues.js';
import { AuthError, ForbiddenError } from '../errors/client.js';
import SyncNodeIdPlugin from './sync-node-id.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: {
    public: boolean;
    customer: boolean;
    admin: boolean;
    /** The viewer is this customer, or an admin. */
    owner: string;
  };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({
  // scope-auth first (it must run before resolvers); relay before it would also be possible,
  // but ids are decoded in resolvers here. errors before dataloader, as their docs say;
  // validation (zod schemas on arguments and input fields) after errors, so that its failures
  // become ValidationError results of the mutations that list that type. syncNodeId last: it
  // replaces only the relay id field's own resolver (src/schema/sync-node-id.ts).
  plugins: [
    ScopeAuthPlugin,
    ErrorsPlugin,
    ValidationPlugin,
    DataloaderPlugin,
    RelayPlugin,
    SyncNodeIdPlugin,
  ],
  validation: {
    validationError: (result) => validationErrorFromIssues(result.issues),
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      public: true,
      customer: context.viewer !== null,
      admin: context.viewer?.isAdmin ?? false,
      owner: (customerId) =>
        context.viewer !== null && (context.viewer.isAdmin || context.viewer.id === customerId),
    }),
    unauthorizedError: (_parent, context) =>
      context.viewer === null
        ? new AuthError('Authentication required: send `Authorization: Bearer <token>`')
        : new ForbiddenError('Not authorized'),
  },
  // Input validation failures are data too: they come before authorization, which is safe here
  // because they say only what the public schema's rules are, and nothing is read or written.
  errors: { defaultTypes: [], unsafelyHandleInputErrors: true },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
  },
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-01-31T12:00:00.000Z',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new TypeError('DateTime must be an ISO-8601 string');
    }
    return new Date(value).toISOString();
  },
});
