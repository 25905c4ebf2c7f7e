import { describe, expect, it } from 'vitest';
import { createdBefore, LeaseObserver, leasesToTake } from '../../src/events/shard-leases.js';
import {
  SHARD_END,
  type StreamLease,
  streamLeaseItem,
  streamLeaseKey,
  streamLeasesQuery,
  toStreamLease,
} from '../../src/models/stream-lease.js';

const lease = (shardId: string, fields: Partial<StreamLease> = {}): StreamLease => ({
  shardId,
  parentShardId: undefined,
  owner: 'other',
  counter: 1,
  checkpoint: undefined,
  createdAt: '2026-01-01T00:00:00.000Z',
  skipBefore: '2026-01-01T00:00:00.000Z',
  expiresAt: 1,
  ...fields,
});

describe('stream lease model', () => {
  it('keeps every lease in one partition, under a prefix one Query lists', () => {
    expect(streamLeaseKey('shardId-1')).toEqual({ PK: 'STREAM_LEASE', SK: 'SHARD#shardId-1' });
    expect(streamLeasesQuery().input.ExpressionAttributeValues).toEqual({
      ':pk': 'STREAM_LEASE',
      ':prefix': 'SHARD#',
    });
  });

  it('reads back what it writes, a free lease without owner or checkpoint', () => {
    const free = lease('s1', { owner: undefined, parentShardId: 's0', counter: 0 });
    const item = JSON.parse(JSON.stringify(streamLeaseItem(free)));
    expect(item).toMatchObject({ entity: 'StreamLease', PK: 'STREAM_LEASE', SK: 'SHARD#s1' });
    expect(item).not.toHaveProperty('owner');
    expect(toStreamLease(item)).toEqual(free);
    expect(() => toStreamLease({ ...item, counter: 'x' })).toThrow(/counter/);
  });
});

describe('LeaseObserver', () => {
  it('expires a lease whose counter has not moved for a lease duration of its own clock', () => {
    const observer = new LeaseObserver();
    observer.observe([lease('a', { counter: 4 })], 1_000);
    // First seen at 1000: whatever the lease's age elsewhere, its clock starts here.
    expect(observer.expired(lease('a', { counter: 4 }), 1_999, 1_000)).toBe(false);
    expect(observer.nextExpiry([lease('a', { counter: 4 })], 1_000)).toBe(2_000);
    observer.observe([lease('a', { counter: 4 })], 1_500);
    expect(observer.expired(lease('a', { counter: 4 }), 2_000, 1_000)).toBe(true);
  });

  it('restarts the clock when the counter moves, and forgets leases no longer listed', () => {
    const observer = new LeaseObserver();
    observer.observe([lease('a', { counter: 4 }), lease('b')], 0);
    observer.observe([lease('a', { counter: 5 })], 900);
    expect(observer.expired(lease('a', { counter: 5 }), 1_500, 1_000)).toBe(false);
    expect(observer.expired(lease('a', { counter: 5 }), 1_900, 1_000)).toBe(true);
    // A counter other than the one observed: someone wrote since, not expired.
    expect(observer.expired(lease('a', { counter: 6 }), 5_000, 1_000)).toBe(false);
    // b was dropped from the listing: seen again, its clock starts over.
    expect(observer.expired(lease('b'), 5_000, 1_000)).toBe(false);
    observer.observe([lease('b')], 5_000);
    expect(observer.expired(lease('b'), 5_999, 1_000)).toBe(false);
    expect(observer.expired(lease('b'), 6_000, 1_000)).toBe(true);
  });
});

describe('leasesToTake', () => {
  const shards = new Map([
    ['parent', { parentId: undefined }],
    ['child', { parentId: 'parent' }],
    ['orphan', { parentId: 'trimmed' }],
  ]);
  const take = (leases: StreamLease[], now: number, held: string[] = []) => {
    const observer = new LeaseObserver();
    observer.observe(leases, 0);
    return leasesToTake({
      leases,
      shards,
      owner: 'me',
      held: new Set(held),
      observer,
      now,
      durationMs: 1_000,
    }).map((l) => l.shardId);
  };

  it('takes free leases at once and owned ones only once expired', () => {
    expect(take([lease('parent', { owner: undefined })], 0)).toEqual(['parent']);
    expect(take([lease('parent')], 999)).toEqual([]);
    expect(take([lease('parent')], 1_000)).toEqual(['parent']);
    // Named for this process but not held (a restart under the same name): free.
    expect(take([lease('parent', { owner: 'me' })], 0)).toEqual(['parent']);
    // Held: renewed, not taken; read to its end or of a shard no longer listed: left alone.
    expect(take([lease('parent', { owner: 'me' })], 0, ['parent'])).toEqual([]);
    expect(take([lease('parent', { owner: undefined, checkpoint: SHARD_END })], 0)).toEqual([]);
    expect(take([lease('gone', { owner: undefined })], 0)).toEqual([]);
  });

  it("takes a child only after its parent's checkpoint is SHARD_END, or its parent is gone", () => {
    const child = lease('child', { owner: undefined, parentShardId: 'parent' });
    expect(take([lease('parent', { checkpoint: '99' }), child], 5_000)).toEqual(['parent']);
    expect(take([lease('parent', { owner: undefined, checkpoint: '99' }), child], 0)).toEqual([
      'parent',
    ]);
    expect(take([lease('parent', { owner: undefined, checkpoint: SHARD_END }), child], 0)).toEqual([
      'child',
    ]);
    // The parent shard is listed but its lease not made yet: wait for it.
    expect(take([child], 0)).toEqual([]);
    // The parent was trimmed from the stream (not listed): nothing to wait for.
    expect(take([lease('orphan', { owner: undefined, parentShardId: 'trimmed' })], 0)).toEqual([
      'orphan',
    ]);
  });
});

describe('createdBefore', () => {
  const mark = Date.parse('2026-01-01T00:10:30.000Z');
  it('skips only records whose whole rounding unit lies before the mark, less the slack', () => {
    // Rounded down to the minute: 00:09:00 may be as late as 00:09:59.999, before 00:10:29.
    expect(createdBefore(new Date('2026-01-01T00:09:00.000Z'), mark)).toBe(true);
    // 00:10:00 may be 00:10:45: kept (replayed at worst, never lost).
    expect(createdBefore(new Date('2026-01-01T00:10:00.000Z'), mark)).toBe(false);
    expect(createdBefore(new Date('2026-01-01T00:09:30.000Z'), mark)).toBe(false);
    // At a second's rounding, a record up to about a second before the mark, less the slack.
    expect(createdBefore(new Date('2026-01-01T00:10:28.000Z'), mark, 1_000)).toBe(true);
    expect(createdBefore(new Date('2026-01-01T00:10:29.000Z'), mark, 1_000)).toBe(false);
    expect(createdBefore(undefined, mark)).toBe(false);
  });
});
