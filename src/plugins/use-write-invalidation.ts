import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../app/context.js';
import { staleEntitiesForKeys } from '../events/live.js';

/**
 * A mutation's own writes invalidate the cached public reads they make stale before its
 * response is sent, so its client reads its write at once; other writers reach the cache
 * through the stream (src/events/live.ts).
 */
export function useWriteInvalidation(cache: Cache): Plugin<Context> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        onExecuteDone() {
          const written = context.db.writes;
          if (written.length === 0) return;
          const stale = staleEntitiesForKeys(written);
          if (stale.length > 0) return cache.invalidate(stale);
        },
      };
    },
  };
}
