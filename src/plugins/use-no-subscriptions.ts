import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const SUBSCRIPTIONS_UNAVAILABLE =
  'Subscriptions are not available on this deployment: it cannot stream responses. Subscribe through the container deployment.';

/**
 * Where responses cannot stream (AWS Lambda behind API Gateway), refuses any subscription at
 * validation, before anything starts: one error result (HTTP 400 under
 * application/graphql-response+json; under text/event-stream, one event and the end of the
 * stream), instead of a response held open until the function times out.
 */
export function useNoSubscriptions(): Plugin {
  const refuse: ValidationRule = (validation) => ({
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      validation.reportError(
        new GraphQLError(SUBSCRIPTIONS_UNAVAILABLE, {
          nodes: [node],
          extensions: { code: 'SUBSCRIPTIONS_UNAVAILABLE' },
        }),
      );
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(refuse);
    },
  };
}
