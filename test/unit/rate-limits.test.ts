import { describe, expect, it } from 'vitest';
import { MemoryRateLimits } from '../../src/fleet/rate-limits.js';
import { windowMs } from '../../src/plugins/use-mutation-rate-limit.js';

describe('MemoryRateLimits', () => {
  it('allows max calls per sliding window, counts only allowed calls, and says when to retry', async () => {
    let now = 1_000_000;
    const limits = new MemoryRateLimits(() => now);
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await limits.hit('v:addToCart', 3, 60_000));
      now += 1_000;
    }
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    // The first call was at 1,000,000; it is now 1,003,000.
    expect(results[3]?.retryAfterMs).toBe(57_000);
    // Refused calls do not count: once the first call ages out, one more is allowed.
    now = 1_000_000 + 60_001;
    expect((await limits.hit('v:addToCart', 3, 60_000)).allowed).toBe(true);
    expect((await limits.hit('v:addToCart', 3, 60_000)).allowed).toBe(false);
    // Keys are independent.
    expect((await limits.hit('w:addToCart', 3, 60_000)).allowed).toBe(true);
  });
});

describe('windowMs', () => {
  it('reads RATE_LIMIT_WINDOW units', () => {
    expect([windowMs('500ms'), windowMs('30s'), windowMs('1m'), windowMs('2h')]).toEqual([
      500, 30_000, 60_000, 7_200_000,
    ]);
  });
});
