import type { Config } from '../app/config.js';
import type { Logger } from '../app/logger.js';
import type { ShopPubSub } from '../events/pubsub.js';
import { type BusStats, type EventBus, LocalBus } from './bus.js';
import { deliverTo } from './deliver.js';
import { FleetCache } from './fleet-cache.js';
import {
  MemoryOperationStore,
  type OperationStore,
  RedisOperationStore,
} from './operation-store.js';
import { MemoryRateLimits, type RateLimitStore } from './rate-limits.js';
import { connectRedis, type RedisConnections } from './redis.js';
import { RedisBus } from './redis-bus.js';
import { RedisRateLimits } from './redis-rate-limits.js';

/** How long a published eventID is remembered: well past a stream hand-over or a Lambda retry. */
const DEDUPE_TTL_MS = 60 * 60 * 1_000;

export interface FleetStatus {
  /** off: no REDIS_URL, one process. */
  redis: 'off' | 'up' | 'down';
  bus: BusStats;
  rateLimits: RateLimitStore['kind'];
  cacheBypassed: boolean;
}

/**
 * What the processes of a deployment share: the bus of events and invalidations, the rate
 * limits and this process's response cache as the bus keeps it. REDIS_URL set: Redis; unset:
 * this process alone, as `npm start` runs.
 */
export interface Fleet {
  bus: EventBus;
  rateLimits: RateLimitStore;
  cache: FleetCache;
  /** Automatic persisted queries' documents: shared through Redis, else this process's. */
  operations: OperationStore;
  /** Settles once Redis answered or could not be reached at start (at once without Redis). */
  ready: Promise<void>;
  /** Starts handing the bus's messages to this process's subscribers and cache. */
  start(pubsub: ShopPubSub): Promise<void>;
  status(): FleetStatus;
  stop(): Promise<void>;
}

export function createFleet(
  config: Pick<Config, 'redis'> & Partial<Pick<Config, 'persistedQueries'>>,
  logger: Logger,
  options: { mode: 'push' | 'pull' } = { mode: 'push' },
): Fleet {
  const cache = new FleetCache();
  if (!config.redis) {
    const bus = new LocalBus();
    const rateLimits = new MemoryRateLimits();
    return {
      bus,
      rateLimits,
      cache,
      operations: new MemoryOperationStore(),
      ready: Promise.resolve(),
      start: (pubsub) => bus.subscribe(deliverTo({ pubsub, cache, logger })),
      status: () => ({
        redis: 'off',
        bus: bus.stats(),
        rateLimits: rateLimits.kind,
        cacheBypassed: false,
      }),
      stop: () => bus.stop(),
    };
  }
  const { url, keyPrefix, streamMaxLength } = config.redis;
  const redis: RedisConnections = connectRedis(url, logger);
  const bus = new RedisBus({
    redis,
    logger,
    prefix: keyPrefix,
    maxLength: streamMaxLength,
    dedupeTtlMs: DEDUPE_TTL_MS,
    mode: options.mode,
  });
  const rateLimits = new RedisRateLimits(redis, keyPrefix, logger);
  // Until the first connection, and whenever it drops, other replicas' writes cannot reach
  // this cache.
  cache.bypass(true);
  redis.onChange((up) => cache.bypass(!up));
  return {
    bus,
    rateLimits,
    cache,
    operations: new RedisOperationStore(
      redis,
      keyPrefix,
      logger,
      config.persistedQueries?.ttlSeconds,
    ),
    ready: redis.firstConnection,
    async start(pubsub) {
      await redis.firstConnection;
      await bus.subscribe(deliverTo({ pubsub, cache, logger }));
    },
    status: () => ({
      redis: redis.up() ? 'up' : 'down',
      bus: bus.stats(),
      rateLimits: rateLimits.kind,
      cacheBypassed: cache.bypassed,
    }),
    async stop() {
      await bus.stop();
      await redis.quit();
    },
  };
}
