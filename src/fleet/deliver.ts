import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { Logger } from '../app/logger.js';
import { staleEntities } from '../events/live.js';
import { publishEvent, type ShopPubSub } from '../events/pubsub.js';
import type { BusMessage, StaleEntity } from './bus.js';

/**
 * What one process does with a bus message: stale cached responses go first, then the events
 * reach its subscribers. The cache is invalidated before this returns, so a request served
 * after a catch-up (src/fleet/bus.ts) never sees a response the message made stale.
 */
export function deliverTo(targets: {
  pubsub: ShopPubSub;
  cache: Cache;
  logger: Logger;
}): (message: BusMessage) => void {
  const invalidate = (entities: StaleEntity[]) => {
    if (entities.length === 0) return;
    try {
      const pending = targets.cache.invalidate(entities);
      if (pending instanceof Promise) {
        pending.catch((error) =>
          targets.logger.error({ err: error }, 'response cache invalidation failed'),
        );
      }
    } catch (error) {
      targets.logger.error({ err: error }, 'response cache invalidation failed');
    }
  };
  return (message) => {
    if (message.kind === 'stale') return invalidate(message.entities);
    invalidate(message.events.flatMap(staleEntities));
    for (const event of message.events) publishEvent(targets.pubsub, event);
  };
}
