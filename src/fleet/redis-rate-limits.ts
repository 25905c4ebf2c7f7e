import { randomBytes } from 'node:crypto';
import type { Logger } from '../app/logger.js';
import { MemoryRateLimits, type RateLimitHit, type RateLimitStore } from './rate-limits.js';
import type { RedisConnections } from './redis.js';

/**
 * Count and decide in one script, on Redis's clock: no replica can slip a call in between
 * another's read and write. (@envelop/rate-limiter's RedisStore GETs the timestamps and SETs
 * them back in two commands, so concurrent calls on two replicas both pass.)
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, t[1] .. t[2] .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`;

/** Makes members unique across processes that count in the same millisecond. */
const PROCESS_TOKEN = randomBytes(6).toString('hex');

/**
 * Rate limits shared by the fleet. While Redis is unreachable each process counts for itself
 * (the limit becomes N times the setting for a while) rather than refusing every mutation or
 * letting all through.
 */
export class RedisRateLimits implements RateLimitStore {
  readonly kind = 'redis' as const;
  readonly #redis: RedisConnections;
  readonly #prefix: string;
  readonly #fallback = new MemoryRateLimits();
  readonly #logger: Logger;
  #sequence = 0;

  constructor(redis: RedisConnections, prefix: string, logger: Logger) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#logger = logger;
    redis.commands.defineCommand('shopRateLimit', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  }

  async hit(key: string, max: number, windowMs: number): Promise<RateLimitHit> {
    if (!this.#redis.up()) return this.#fallback.hit(key, max, windowMs);
    try {
      const [allowed, retryAfterMs] = await (
        this.#redis.commands as unknown as {
          shopRateLimit(...args: Array<string | number>): Promise<[number, number]>;
        }
      ).shopRateLimit(
        `${this.#prefix}rate:${key}`,
        max,
        windowMs,
        `:${PROCESS_TOKEN}:${++this.#sequence}`,
      );
      return { allowed: allowed === 1, retryAfterMs: Math.max(0, retryAfterMs) };
    } catch (error) {
      this.#logger.warn({ err: error }, 'rate limit: redis failed, counting in this process');
      return this.#fallback.hit(key, max, windowMs);
    }
  }
}
