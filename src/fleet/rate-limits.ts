/** The answer to one counted call. */
export interface RateLimitHit {
  allowed: boolean;
  /** When refused: how long until the oldest counted call leaves the window. */
  retryAfterMs: number;
}

/**
 * A sliding window of allowed calls per key. Only allowed calls count: a client that keeps
 * calling while refused gets back in once its earlier calls age out.
 */
export interface RateLimitStore {
  readonly kind: 'memory' | 'redis';
  hit(key: string, max: number, windowMs: number): Promise<RateLimitHit>;
}

/** One process's counts: exact for one server, N times the limit behind N replicas. */
export class MemoryRateLimits implements RateLimitStore {
  readonly kind = 'memory' as const;
  readonly #calls = new Map<string, number[]>();
  readonly #now: () => number;
  #hitsSinceSweep = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async hit(key: string, max: number, windowMs: number): Promise<RateLimitHit> {
    const now = this.#now();
    const since = now - windowMs;
    const calls = (this.#calls.get(key) ?? []).filter((at) => at > since);
    if (++this.#hitsSinceSweep >= 1_000) this.#sweep(since);
    if (calls.length >= max) {
      this.#calls.set(key, calls);
      return { allowed: false, retryAfterMs: (calls[0] ?? now) + windowMs - now };
    }
    calls.push(now);
    this.#calls.set(key, calls);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Forgets viewers with no call in the window, so the map does not grow with every viewer. */
  #sweep(since: number): void {
    this.#hitsSinceSweep = 0;
    for (const [key, calls] of this.#calls) {
      if ((calls.at(-1) ?? 0) <= since) this.#calls.delete(key);
    }
  }
}
