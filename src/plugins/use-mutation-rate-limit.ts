import { useRateLimiter } from '@envelop/rate-limiter';
import { type GraphQLSchema, getOperationAST } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../app/config.js';
import type { Context } from '../app/context.js';

/**
 * Each viewer may call each mutation at most `mutations` times per window (anonymous callers
 * share one bucket; every mutation needs a token anyway). The counts are in this process's
 * memory: behind N replicas, give graphql-rate-limit a Redis store instead.
 */
export function useMutationRateLimit(
  config: Pick<Config, 'rateLimit'>,
  schema: GraphQLSchema,
): Plugin {
  const { mutations: max, window } = config.rateLimit;
  const fields = Object.keys(schema.getMutationType()?.getFields() ?? {});
  const limiter = useRateLimiter({
    identifyFn: (context) => (context as Context).viewer?.id ?? 'anonymous',
    configByField: fields.map((field) => ({
      type: 'Mutation',
      field,
      max,
      window,
      message: `Too many requests: at most ${max} ${field} calls per ${window}; try again later`,
    })),
    // Thrown from the plugin's onExecute, before any resolver: it must be a GraphQLError, or it
    // is masked as an unexpected error. The whole operation is refused: nothing is written.
    transformError: (message) =>
      createGraphQLError(message, {
        extensions: {
          code: 'RATE_LIMITED',
          http: { status: 429, headers: { 'retry-after': String(windowSeconds(window)) } },
        },
      }),
  }) as Plugin;
  // The limiter walks the whole document with type info on every execution. Only Mutation
  // fields are limited, so only a mutation needs the walk.
  const { onExecute } = limiter;
  if (!onExecute) return limiter;
  return {
    ...limiter,
    onExecute(payload) {
      const { document, operationName } = payload.args;
      if (getOperationAST(document, operationName)?.operation !== 'mutation') return;
      try {
        return onExecute(payload);
      } finally {
        // The limiter hands execution `visit(document, ...)`: a copy of every node, made anew on
        // every mutation (graphql's visit copies what a visitor returns, even the node itself).
        // Per-document caches then missed on every mutation: graphql-jit compiled each one
        // again, and the response cache added its typenames again. With `transformError` a limit
        // throws and the visitor drops nothing, so the copy is the same document: execution
        // gets the original, which yoga's parse cache keeps.
        payload.args.document = document;
      }
    },
  };
}

/** A RATE_LIMIT_WINDOW (`500ms`, `30s`, `1m`, `1h`) in whole seconds, at least 1. */
export function windowSeconds(window: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(window);
  const value = Number(match?.[1] ?? 60);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3_600 }[match?.[2] ?? 's'] ?? 1;
  return Math.max(1, Math.ceil(value * unit));
}
