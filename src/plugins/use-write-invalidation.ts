import type { Plugin } from 'graphql-yoga';
import type { Context } from '../app/context.js';
import type { Logger } from '../app/logger.js';
import { staleEntitiesForKeys } from '../events/live.js';
import type { Fleet } from '../fleet/fleet.js';

/**
 * A mutation's own writes invalidate the cached public reads they make stale before its
 * response is sent: this process's cache at once, so its client reads its write, and the other
 * processes' through the bus. Writers that are not this gateway reach every cache through the
 * stream (src/events/live.ts).
 */
export function useWriteInvalidation(fleet: Fleet, logger: Logger): Plugin<Context> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        async onExecuteDone() {
          const written = context.db.writes;
          if (written.length === 0) return;
          const stale = staleEntitiesForKeys(written);
          if (stale.length === 0) return;
          await fleet.cache.invalidate(stale);
          try {
            await fleet.bus.publishStale(stale);
          } catch (error) {
            // The write is done and answered; the other caches expire by their TTL, and one
            // whose bus was down drops everything when it is back (src/fleet/fleet-cache.ts).
            logger.warn({ err: error }, 'could not send an invalidation to the other processes');
          }
        },
      };
    },
  };
}
