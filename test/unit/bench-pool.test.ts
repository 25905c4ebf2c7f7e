import { describe, expect, it } from 'vitest';
import { type LoadResult, poolRuns } from '../../scripts/bench/load.js';

function run(requests: number, seconds: number, latencies: number[], cpu: number): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    failures: 1,
    errors: 0,
    seconds,
    rps: requests / seconds,
    p50: Number.NaN,
    p90: Number.NaN,
    p99: Number.NaN,
    mean: Number.NaN,
    cpuPerRequest: { server: cpu },
    latencies: sorted,
  };
}

describe('poolRuns (the bench pools each side of its A/B runs)', () => {
  it('adds requests and time up, so a long run weighs more than a short one', () => {
    const pooled = poolRuns([run(300, 1, [1], 2), run(100, 1, [1], 2)]);
    expect(pooled.requests).toBe(400);
    expect(pooled.seconds).toBe(2);
    expect(pooled.rps).toBe(200);
    expect(pooled.failures).toBe(2);
  });

  it('takes percentiles over every response of the runs, not a run’s own', () => {
    const fast = Array.from({ length: 60 }, () => 10);
    const slow = Array.from({ length: 40 }, () => 50);
    const pooled = poolRuns([run(60, 1, fast, 1), run(40, 1, slow, 1)]);
    expect(pooled.p50).toBe(10);
    expect(pooled.p90).toBe(50);
    expect(pooled.mean).toBe(26);
    expect(pooled.latencies?.length).toBe(100);
  });

  it('weights CPU per request by each run’s requests', () => {
    const pooled = poolRuns([run(300, 1, [1], 2), run(100, 1, [1], 6)]);
    expect(pooled.cpuPerRequest.server).toBe(3);
  });
});
