import { describe, expect, it } from 'vitest';
import { ShedError } from '../../src/errors/store.js';
import { Admission } from '../../src/store/admission.js';

const FAR = Number.POSITIVE_INFINITY;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Acquires and records the order in which the calls got their slot. */
function track(admission: Admission) {
  const order: string[] = [];
  const take = (name: string, deadline: number, lane: 'new' | 'continuing') => {
    const wait = admission.acquire(deadline, lane);
    const done = (wait ?? Promise.resolve()).then(() => {
      order.push(name);
    });
    return done;
  };
  return { order, take };
}

describe('Admission', () => {
  it('lets maxInFlight calls go at once and queues the rest, handing each slot on as one ends', async () => {
    const admission = new Admission({ maxInFlight: 2, maxQueue: 100 });
    const { order, take } = track(admission);
    const all = ['a', 'b', 'c', 'd', 'e'].map((name) => take(name, FAR, 'new'));
    await sleep(0);
    expect(order).toEqual(['a', 'b']);
    expect(admission.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    admission.release(5);
    await sleep(0);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(admission.stats()).toMatchObject({ inFlight: 2, queued: 2 });
    admission.release(5);
    admission.release(5);
    admission.release(5);
    await Promise.all(all);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(admission.stats().inFlight).toBe(1);
    admission.release(5);
    expect(admission.stats()).toMatchObject({ inFlight: 0, queued: 0, shed: 0 });
  });

  it("gives a freed slot to a request that has started before any new request's first call", async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 100 });
    const { order, take } = track(admission);
    const first = take('first', FAR, 'new');
    const newer = [take('new-1', FAR, 'new'), take('new-2', FAR, 'new')];
    const continuing = take('continuing', FAR, 'continuing');
    await first;
    for (let i = 0; i < 3; i++) {
      admission.release(1);
      await sleep(0);
    }
    await Promise.all([...newer, continuing]);
    expect(order).toEqual(['first', 'continuing', 'new-1', 'new-2']);
  });

  it('sheds a waiting call when its deadline passes, and never gives it a slot', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 100 });
    expect(admission.acquire(FAR, 'new')).toBeUndefined();
    const started = performance.now();
    const waiting = admission.acquire(performance.now() + 40, 'continuing');
    const error = await waiting?.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShedError);
    expect((error as ShedError).reason).toBe('deadline');
    expect((error as ShedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(admission.stats()).toMatchObject({ inFlight: 1, queued: 0, shed: 1 });
    // The slot, once freed, goes to nobody: the shed call is gone from the queue.
    admission.release(1);
    expect(admission.stats().inFlight).toBe(0);
  });

  it("refuses a new request's call at once when the queue is full", async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 2 });
    admission.acquire(FAR, 'new');
    const queued = [admission.acquire(FAR, 'new'), admission.acquire(FAR, 'new')];
    const refused = await admission.acquire(FAR, 'new')?.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShedError);
    expect((refused as ShedError).reason).toBe('queue-full');
    // A continuing request's call still waits: its request has work under way.
    const continuing = admission.acquire(FAR, 'continuing');
    expect(continuing).toBeInstanceOf(Promise);
    for (let i = 0; i < 4; i++) admission.release(1);
    await Promise.all([...queued, continuing]);
    expect(admission.stats()).toMatchObject({ queued: 0, shed: 1 });
  });

  it('sheds a new request at once when the calls ahead of it would outlast its deadline', async () => {
    const now = 0;
    const admission = new Admission({ maxInFlight: 2, maxQueue: 1_000, now: () => now });
    // Calls hold their slot 100 ms each.
    admission.acquire(FAR, 'new');
    admission.acquire(FAR, 'new');
    admission.release(100);
    admission.release(100);
    admission.acquire(FAR, 'new');
    admission.acquire(FAR, 'new');
    const queued = Array.from({ length: 10 }, () => admission.acquire(FAR, 'new'));
    // 11 calls ahead, two at a time, 100 ms each: about 550 ms.
    expect(admission.expectedWaitMs()).toBeCloseTo(550, 0);
    expect(admission.wouldShed(500)).toBe(true);
    expect(admission.wouldShed(1_000)).toBe(false);
    expect(admission.retryAfterSeconds()).toBe(1);
    const refused = await admission.acquire(now + 300, 'new')?.catch((e: unknown) => e);
    expect((refused as ShedError).reason).toBe('expected-wait');
    const waits = admission.acquire(now + 5_000, 'new');
    expect(waits).toBeInstanceOf(Promise);
    for (let i = 0; i < 13; i++) admission.release(100);
    await Promise.all([...queued, waits]);
    expect(admission.stats()).toMatchObject({ queued: 0, shed: 1 });
  });
});
