import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationRule } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../app/config.js';
import type { Logger } from '../app/logger.js';

type LimitName = keyof Config['limits'];

const LIMIT_LABELS: Record<LimitName, string> = {
  depth: 'Query depth',
  aliases: 'Aliases',
  tokens: 'Token',
  directives: 'Directives',
  cost: 'Query cost',
};

/**
 * Operation limits from graphql-armor (OWASP GraphQL cheat sheet), checked before any resolver
 * or DynamoDB call: tokens while parsing; depth, aliases, directives and cost at validation.
 */
export function useQueryLimits(
  config: Pick<Config, 'limits' | 'isProduction'>,
  logger: Logger,
): Plugin[] {
  // In production a refusal says which limit, not its value.
  const exposeLimits = !config.isProduction;
  const common = (limit: LimitName) => ({
    exposeLimits,
    errorMessage: `${LIMIT_LABELS[limit]} limit exceeded.`,
    // graphql-armor's own error says "Syntax Error" and has no code; throwing from here (before
    // it throws) refuses the operation with a clear message, a code and HTTP 400 instead.
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        throw limitError(limit, error, logger);
      },
    ],
    propagateOnRejection: true,
  });
  return [
    maxTokensPlugin({ n: config.limits.tokens, ...common('tokens') }) as Plugin,
    // graphql-armor's depth, aliases, directives and cost limits are validation rules; each of
    // its plugins adds one in its own onValidate hook, made anew per request. One hook adds the
    // four, made once (each hook is a step of envelop's orchestration on every request).
    validationRules([
      maxDepthRule({ n: config.limits.depth, flattenFragments: true, ...common('depth') }),
      maxAliasesRule({ n: config.limits.aliases, ...common('aliases') }),
      maxDirectivesRule({ n: config.limits.directives, ...common('directives') }),
      costLimitRule({ maxCost: config.limits.cost, flattenFragments: true, ...common('cost') }),
    ]),
  ];
}

/** Adds the given validation rules to every validation (yoga caches the result per document). */
function validationRules(rules: ValidationRule[]): Plugin {
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}

/** The refusal of an operation over a limit: checked before any resolver runs. */
function limitError(limit: LimitName, armorError: GraphQLError, logger: Logger): GraphQLError {
  const message = armorError.message.replace(/^Syntax Error: /, '');
  logger.info({ limit, reason: message }, 'operation refused by a limit');
  return createGraphQLError(message, {
    // `spec`: HTTP 400 with application/graphql-response+json, 200 with application/json, as for
    // any other validation error.
    extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit, http: { status: 400, spec: true } },
  });
}
