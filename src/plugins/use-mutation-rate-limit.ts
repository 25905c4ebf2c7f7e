import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getOperationAST,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../app/config.js';
import type { Context } from '../app/context.js';
import type { RateLimitStore } from '../fleet/rate-limits.js';

/**
 * Each viewer may call each mutation at most `mutations` times per window (anonymous callers
 * share one bucket; every mutation needs a token anyway), counted in `store`: this process's
 * memory, or Redis for the whole fleet (src/fleet). Checked before execution: a refused
 * operation writes nothing.
 *
 * Hand-written rather than @envelop/rate-limiter: its store interface is a read and a write of
 * the timestamps, which cannot be exact across replicas, and it walks every document with type
 * info (and copies it) when only a mutation's root fields are limited.
 */
export function useMutationRateLimit(
  config: Pick<Config, 'rateLimit'>,
  store: RateLimitStore,
): Plugin {
  const { mutations: max, window } = config.rateLimit;
  const windowLength = windowMs(window);
  return {
    async onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const viewer = (args.contextValue as unknown as Context).viewer?.id ?? 'anonymous';
      for (const field of rootFields(operation.selectionSet, args.document)) {
        const hit = await store.hit(`${viewer}:${field}`, max, windowLength);
        if (hit.allowed) continue;
        // A GraphQLError, or it is masked as an unexpected error.
        throw createGraphQLError(
          `Too many requests: at most ${max} ${field} calls per ${window}; try again later`,
          {
            extensions: {
              code: 'RATE_LIMITED',
              http: {
                status: 429,
                headers: {
                  'retry-after': String(Math.max(1, Math.ceil(hit.retryAfterMs / 1_000))),
                },
              },
            },
          },
        );
      }
    },
  };
}

/** The root field names an operation calls, one per call (an alias calls again), fragments included. */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) names.push(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          walk(fragment.selectionSet);
        }
      }
    }
  };
  walk(selectionSet);
  return names;
}

/** A RATE_LIMIT_WINDOW (`500ms`, `30s`, `1m`, `1h`) in milliseconds. */
export function windowMs(window: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(window);
  const value = Number(match?.[1] ?? 60);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match?.[2] ?? 's'] ?? 1_000;
  return value * unit;
}
