import type { DocumentNode, GraphQLSchema } from 'graphql';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type CompiledQuery, compileQuery, isCompiledQuery } from './graphql-jit-loader.js';

/**
 * Queries and mutations run on graphql-jit, compiled once per document and operation and kept
 * as long as yoga's parse cache keeps the document: a compiled query resolves each field
 * without graphql-js' per-field interpretation of the document, so it spends less CPU per
 * request. Resolvers, Pothos' wrappers (auth, errors as data, dataloaders) and the schema are
 * the same, and test/integration/executor.test.ts holds the two to the same answers (graphql-jit
 * may order a response's keys differently where fragments and @skip/@include mix; the values
 * are the same).
 * Two cases stay on graphql-js: subscriptions, and variables that do not coerce to their types
 * (graphql-jit refuses those before running anything, with its own wording; graphql-js then
 * runs the same request and gives its error: a 400 with BAD_USER_INPUT, naming the variable).
 * @envelop/graphql-jit could only choose before running, by coercing every request's variables
 * once more.
 */
export function useGraphqlJit(): Plugin & {
  /** Operations compiled so far. */
  compilations: () => number;
  /** Executions answered by a compiled query. */
  compiledRuns: () => number;
} {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  let compilations = 0;
  let compiledRuns = 0;
  const compile = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName?: string | null,
  ) => {
    let byOperation = compiled.get(document);
    if (!byOperation) {
      byOperation = new Map();
      compiled.set(document, byOperation);
    }
    const key = operationName ?? '';
    let query = byOperation.get(key);
    if (query === undefined) {
      const operation = getOperationAST(document, operationName);
      const compilable = operation != null && operation.operation !== 'subscription';
      if (compilable) compilations++;
      const result = compilable ? compileQuery(schema, document, operationName ?? undefined) : null;
      // Not compiled (a subscription, or something graphql-jit cannot compile): graphql-js runs it.
      query = result && isCompiledQuery(result) ? result : null;
      byOperation.set(key, query);
    }
    return query;
  };
  return {
    compilations: () => compilations,
    compiledRuns: () => compiledRuns,
    onExecute({ executeFn, setExecuteFn }) {
      // Compiled for the document it is called with: a later plugin may run another one (the
      // response cache adds the fields it identifies entities by).
      setExecuteFn((execution) => {
        const query = compile(execution.schema, execution.document, execution.operationName);
        if (!query) return executeFn(execution);
        const result = query.query(
          execution.rootValue,
          execution.contextValue,
          execution.variableValues,
        );
        // Refused before execution (variables that do not coerce): graphql-js' own answer.
        if (!isPromiseLike(result) && !('data' in result)) return executeFn(execution);
        compiledRuns++;
        return result;
      });
    },
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T>)?.then === 'function';
}
