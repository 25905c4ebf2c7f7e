import type { Plugin } from 'graphql-yoga';
import type { Context } from '../app/context.js';

/** Hands each finished operation's DynamoDB calls to `report` (tests and the benchmark count them). */
export function useCallReport(
  report: (calls: Record<string, number>, requestId: string) => void,
): Plugin<Context> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        onExecuteDone() {
          report(Object.fromEntries(context.db.calls), context.requestId);
        },
      };
    },
  };
}
