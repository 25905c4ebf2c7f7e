import { useRateLimiter } from '@envelop/rate-limiter';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import {
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type ValidationRule,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Context } from './schema/builder.js';

/**
 * What a public GraphQL endpoint needs against abuse (OWASP GraphQL cheat sheet): operation
 * limits from graphql-armor (checked at validation, before any resolver or DynamoDB call),
 * no introspection or field suggestions in production, a body size limit, and a per-viewer
 * rate limit on mutations.
 */
export function securityPlugins(config: Config, logger: Logger, schema: GraphQLSchema): Plugin[] {
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
  const plugins: Plugin[] = [
    bodyLimitPlugin(config.maxBodyBytes),
    httpRefusalsPlugin(),
    requestErrorCodePlugin(),
    maxTokensPlugin({ n: config.limits.tokens, ...common('tokens') }) as Plugin,
    // graphql-armor's depth, aliases, directives and cost limits are validation rules; each of
    // its plugins adds one in its own onValidate hook, made anew per request. One hook adds the
    // four, made once (each hook is a step of envelop's orchestration on every request).
    validationRulesPlugin([
      maxDepthRule({ n: config.limits.depth, flattenFragments: true, ...common('depth') }),
      maxAliasesRule({ n: config.limits.aliases, ...common('aliases') }),
      maxDirectivesRule({ n: config.limits.directives, ...common('directives') }),
      costLimitRule({ maxCost: config.limits.cost, flattenFragments: true, ...common('cost') }),
    ]),
    mutationRateLimit(config, schema),
  ];
  if (config.isProduction) {
    plugins.push(useDisableIntrospection(), blockFieldSuggestionsPlugin() as Plugin);
  }
  return plugins;
}

type LimitName = keyof Config['limits'];

/** Adds the given validation rules to every validation (yoga caches the result per document). */
function validationRulesPlugin(rules: ValidationRule[]): Plugin {
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}

const LIMIT_LABELS: Record<LimitName, string> = {
  depth: 'Query depth',
  aliases: 'Aliases',
  tokens: 'Token',
  directives: 'Directives',
  cost: 'Query cost',
};

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
 * Refusals at the HTTP edge that yoga leaves bare or gets wrong:
 * - 415 (unsupported content type), 406 (unacceptable Accept) and 404 (off the endpoint) come
 *   without a body: they get a JSON error body like every other refusal;
 * - a POST whose Accept admits no GraphQL response is refused (406) before it runs: yoga would
 *   execute it, a mutation too, and only then answer 406;
 * - bad JSON in a GET's `variables` or `extensions` is the client's 400, not an unexpected error.
 */
export function httpRefusalsPlugin(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const accept = request.headers.get('accept');
      if (accept === null || accept.trim() === '' || acceptsGraphQLResponse(accept)) return;
      endResponse(errorResponse(406, { accept: ACCEPTABLE.join(', ') }));
    },
    // Yoga's GET and form parsers JSON.parse `variables` and `extensions` unguarded: bad JSON
    // there would be an unexpected error (masked, logged), not the client's 400.
    onRequestParse({ request, requestParser, setRequestParser }) {
      // A JSON or GraphQL POST body: yoga's own parser answers bad JSON with its 400.
      if (
        !requestParser ||
        (request.method === 'POST' && PARSED_BY_YOGA.test(contentType(request)))
      )
        return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError('The variables or extensions parameter is not valid JSON.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
    onResponse({ response, setResponse }) {
      const { status } = response;
      if (!(status in REFUSALS) || response.headers.get('content-type')?.includes('json')) return;
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (name !== 'content-type' && name !== 'content-length') headers[name] = value;
      });
      setResponse(errorResponse(status, headers));
    },
  };
}

/**
 * Variable values that do not fit their types end the request before execution: a result with
 * errors and no `data`. graphql-js gives those errors no code; they are the client's.
 */
export function requestErrorCodePlugin(): Plugin {
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

const PARSED_BY_YOGA = /^\s*application\/(json|graphql\+json|graphql)\s*(;|$)/i;
const contentType = (request: Request) => request.headers.get('content-type') ?? '';

/** The media types yoga can answer a GraphQL request with (see its result processors). */
const ACCEPTABLE = [
  'application/graphql-response+json',
  'application/json',
  'text/event-stream',
  'multipart/mixed',
];

function acceptsGraphQLResponse(accept: string): boolean {
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === '*/*' || ACCEPTABLE.includes(type)) return true;
    const [main, sub] = type.split('/');
    return sub === '*' && ACCEPTABLE.some((acceptable) => acceptable.startsWith(`${main}/`));
  });
}

const REFUSALS: Record<number, [message: string, code: string]> = {
  404: ['Not found: GraphQL is served at /graphql', 'NOT_FOUND'],
  406: [`Not acceptable: accept one of ${ACCEPTABLE.slice(0, 2).join(', ')}`, 'NOT_ACCEPTABLE'],
  415: [
    'Unsupported content type: send application/json (or application/graphql+json)',
    'UNSUPPORTED_MEDIA_TYPE',
  ],
};

function errorResponse(status: number, headers: Record<string, string>): Response {
  const [message, code] = REFUSALS[status] ?? ['Bad request', 'BAD_REQUEST'];
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * Each viewer may call each mutation at most `mutations` times per window (anonymous callers
 * share one bucket; every mutation needs a token anyway). The counts are in this process's
 * memory: behind N replicas, give graphql-rate-limit a Redis store instead.
 */
function mutationRateLimit(config: Config, schema: GraphQLSchema): Plugin {
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
  // The limiter walks the whole document with type info on every execution (~6% of a query's
  // CPU). Only Mutation fields are limited, so only a mutation needs the walk.
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

/**
 * CORS headers for the listed origins only. Yoga alone answers an origin outside a list with
 * `access-control-allow-origin` set to the list's only entry, or to `null` (which the opaque
 * origin of a sandboxed page or a file matches); here such a request gets no CORS headers, so
 * the browser refuses it. For a listed origin, `origin: '*'` makes yoga echo it with
 * `Vary: Origin`.
 */
export function listedOriginsOnly<T extends object>(
  origins: string[],
  options: T,
): (request: Request) => (T & { origin: string }) | false {
  const any = origins.includes('*');
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && (any || origins.includes(origin))
      ? { ...options, origin: '*' }
      : false;
  };
}
