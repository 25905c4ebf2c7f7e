import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../app/context.js';
import type { Logger } from '../app/logger.js';
import { toClientError } from '../errors/to-graphql.js';

/**
 * Masks unexpected execution errors (a code and the request id for the client, the cause in the
 * log) in query and mutation results, a subscription's error, and each of its events.
 */
export function useErrorMasking(logger: Logger): Plugin<Context> {
  const mask = (result: ExecutionResult, context: Context): ExecutionResult | undefined => {
    if (!result.errors?.length) return undefined;
    // An HTTP status from an error (503 for an unreachable database) describes the whole
    // response only when nothing was answered; a partial result stays 200.
    const partial = Object.values(result.data ?? {}).some((value) => value !== null);
    return {
      ...result,
      errors: result.errors.map((error) => {
        const report = toClientError(error, context.requestId);
        if (partial && report.error.extensions.http) {
          const { http: _status, ...extensions } = report.error.extensions;
          report.error = new GraphQLError(report.error.message, {
            nodes: report.error.nodes,
            path: report.error.path,
            extensions,
          });
        }
        if (report.cause !== undefined) {
          logger.error(
            { err: report.cause, requestId: context.requestId, path: error.path },
            'unexpected error in a resolver',
          );
        }
        return report.error;
      }),
    };
  };
  return {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result)) return;
          const masked = mask(result as ExecutionResult, context);
          if (masked) setResult(masked);
        },
      };
    },
    onSubscribe({ args }) {
      const context = args.contextValue as Context;
      return {
        onSubscribeResult({ result, setResult }) {
          if ('errors' in result) {
            const masked = mask(result as ExecutionResult, context);
            if (masked) setResult(masked);
            return;
          }
          return {
            onNext({ result: next, setResult: setNext }) {
              const masked = mask(next as ExecutionResult, context);
              if (masked) setNext(masked);
            },
          };
        },
      };
    },
  };
}
