import { useRateLimiter } from '@envelop/rate-limiter';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { ClientError } from './errors.js';
import type { Logger } from './logger.js';
import type { Context } from './schema/builder.js';

/**
 * What a public GraphQL endpoint needs against abuse (OWASP GraphQL cheat sheet): operation
 * limits from graphql-armor (checked at validation, before any resolver or DynamoDB call),
 * no introspection or field suggestions in production, a body size limit, and a per-viewer
 * rate limit on mutations.
 */
export function securityPlugins(config: Config, logger: Logger, schema: GraphQLSchema): Plugin[] {
  // In production a rejection says which limit, not its value.
  const exposeLimits = !config.isProduction;
  const onReject = [
    (_context: unknown, error: GraphQLError) =>
      logger.info({ reason: error.message }, 'operation refused by a limit'),
  ];
  const common = { exposeLimits, onReject, propagateOnRejection: true };
  const plugins: Plugin[] = [
    bodyLimitPlugin(config.maxBodyBytes),
    maxDepthPlugin({ n: config.limits.depth, flattenFragments: true, ...common }) as Plugin,
    maxAliasesPlugin({ n: config.limits.aliases, ...common }) as Plugin,
    maxTokensPlugin({ n: config.limits.tokens, ...common }) as Plugin,
    maxDirectivesPlugin({ n: config.limits.directives, ...common }) as Plugin,
    costLimitPlugin({ maxCost: config.limits.cost, flattenFragments: true, ...common }) as Plugin,
    mutationRateLimit(config, schema),
  ];
  if (config.isProduction) {
    plugins.push(useDisableIntrospection(), blockFieldSuggestionsPlugin() as Plugin);
  }
  return plugins;
}

/** Refuses a body over the limit before it is read; a POST must say how long its body is. */
export function bodyLimitPlugin(maxBytes: number): Plugin {
  const refuse = (status: number, message: string, code: string) =>
    new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const header = request.headers.get('content-length');
      if (header === null) {
        endResponse(refuse(411, 'A POST request needs a Content-Length header', 'LENGTH_REQUIRED'));
        return;
      }
      const length = Number(header);
      if (!Number.isSafeInteger(length) || length < 0) {
        endResponse(refuse(400, 'Invalid Content-Length header', 'BAD_REQUEST'));
      } else if (length > maxBytes) {
        endResponse(
          refuse(413, `The request body is larger than ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE'),
        );
      }
    },
  };
}

/**
 * Each viewer may call each mutation at most `mutations` times per window (anonymous callers
 * share one bucket; every mutation needs a token anyway). The counts are in this process's
 * memory: behind N replicas, give graphql-rate-limit a Redis store instead.
 */
function mutationRateLimit(config: Config, schema: GraphQLSchema): Plugin {
  const { mutations: max, window } = config.rateLimit;
  const fields = Object.keys(schema.getMutationType()?.getFields() ?? {});
  return useRateLimiter({
    identifyFn: (context) => (context as Context).viewer?.id ?? 'anonymous',
    configByField: fields.map((field) => ({
      type: 'Mutation',
      field,
      max,
      window,
      message: `Too many requests: at most ${max} ${field} calls per ${window}; try again later`,
    })),
    transformError: (message) => new ClientError(message, 'RATE_LIMITED'),
  }) as Plugin;
}
