import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../app/logger.js';
import type { Fleet } from '../fleet/fleet.js';

/**
 * For a process that is frozen between requests (a Lambda): before a GraphQL request is served,
 * the bus hands over what arrived meanwhile, so the response cache is as fresh as a server's.
 * When the bus cannot be read, the cache is emptied: a request then reads the table.
 */
export function useBusCatchUp(fleet: Fleet, logger: Logger): Plugin {
  return {
    async onRequest({ url }) {
      if (url.pathname !== '/graphql' || fleet.cache.bypassed) return;
      try {
        await fleet.bus.catchUp();
      } catch (error) {
        logger.warn({ err: error }, 'bus catch-up failed: the response cache is emptied');
        fleet.cache.flush();
      }
    },
  };
}
