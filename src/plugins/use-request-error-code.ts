import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Variable values that do not fit their types end the request before execution: a result with
 * errors and no `data`. graphql-js gives those errors no code; they are the client's.
 */
export function useRequestErrorCode(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.length) return;
          const single = result as ExecutionResult;
          if (single.data !== undefined) return;
          setResult({
            ...single,
            errors: single.errors?.map((error) =>
              error.extensions.code === undefined
                ? new GraphQLError(error.message, {
                    nodes: error.nodes,
                    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
                  })
                : error,
            ),
          });
        },
      };
    },
  };
}
