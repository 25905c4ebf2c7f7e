import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  SHARD_END,
  type StreamLease,
  streamLeaseExpiry,
  streamLeaseItem,
  streamLeaseKey,
  streamLeasesQuery,
  toStreamLease,
} from '../models/stream-lease.js';
import type { Item } from '../store/batch-get.js';

/**
 * The Kinesis Client Library's way to tell an expired lease without comparing clocks across
 * hosts: remember, per lease, the counter last seen and when (by this process's own clock) it was
 * first seen. A lease whose counter has not moved for a lease duration has no live holder.
 * Pure: the time is passed in.
 */
export class LeaseObserver {
  readonly #seen = new Map<string, { counter: number; since: number }>();

  /** Records what one listing showed; leases no longer listed are forgotten. */
  observe(leases: readonly StreamLease[], now: number): void {
    const listed = new Set<string>();
    for (const lease of leases) {
      listed.add(lease.shardId);
      const seen = this.#seen.get(lease.shardId);
      if (!seen || seen.counter !== lease.counter) {
        this.#seen.set(lease.shardId, { counter: lease.counter, since: now });
      }
    }
    for (const shardId of this.#seen.keys()) if (!listed.has(shardId)) this.#seen.delete(shardId);
  }

  /**
   * Whether the lease's holder has stopped renewing: its counter is the one observed, unchanged
   * for `durationMs`. A counter never observed is not expired: its clock starts now.
   */
  expired(lease: StreamLease, now: number, durationMs: number): boolean {
    const seen = this.#seen.get(lease.shardId);
    return seen !== undefined && seen.counter === lease.counter && now - seen.since >= durationMs;
  }

  /** When the earliest of these leases expires if nobody renews it (to look again just then). */
  nextExpiry(leases: readonly StreamLease[], durationMs: number): number | undefined {
    let next: number | undefined;
    for (const lease of leases) {
      const seen = this.#seen.get(lease.shardId);
      if (!seen || seen.counter !== lease.counter) continue;
      const at = seen.since + durationMs;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }
}

export interface TakeInput {
  leases: readonly StreamLease[];
  /** The shards DescribeStream lists now, with their parents. */
  shards: ReadonlyMap<string, { parentId: string | undefined }>;
  owner: string;
  /** Shards whose lease this process holds and renews. */
  held: ReadonlySet<string>;
  observer: LeaseObserver;
  now: number;
  durationMs: number;
}

/**
 * The leases to try to take: free (no owner, or named for this process without being held by
 * it, as after a restart under the same name) or expired, of a shard still listed and not read
 * to its end, whose parent is done. A child waits until its parent's checkpoint is SHARD_END,
 * or the parent shard is no longer listed (trimmed): its records follow the parent's.
 */
export function leasesToTake(input: TakeInput): StreamLease[] {
  const byShard = new Map(input.leases.map((lease) => [lease.shardId, lease]));
  return input.leases.filter((lease) => {
    if (input.held.has(lease.shardId) || lease.checkpoint === SHARD_END) return false;
    if (!input.shards.has(lease.shardId)) return false;
    const free =
      lease.owner === undefined ||
      lease.owner === input.owner ||
      input.observer.expired(lease, input.now, input.durationMs);
    if (!free) return false;
    const parentId = lease.parentShardId;
    if (!parentId || !input.shards.has(parentId)) return true;
    return byShard.get(parentId)?.checkpoint === SHARD_END;
  });
}

/**
 * Whether a stream record was certainly created before `skipBeforeMs`, with this process's
 * clock allowed to be `slackMs` ahead. ApproximateCreationDateTime is rounded down (to the
 * second on AWS, to the minute on DynamoDB Local): the record may be up to `roundingMs` younger
 * than it says, so only a whole rounding unit before the mark is skipped.
 */
export function createdBefore(
  approximateCreation: Date | undefined,
  skipBeforeMs: number,
  roundingMs = 60_000,
  slackMs = 1_000,
): boolean {
  if (!approximateCreation) return false;
  return approximateCreation.getTime() + roundingMs <= skipBeforeMs - slackMs;
}

function isConditionFailure(error: unknown): boolean {
  return (error as Error).name === 'ConditionalCheckFailedException';
}

/**
 * The leases' items in the table, written with conditions so that two processes racing for one
 * lease cannot both win: a take is conditional on the counter it observed, a renewal, checkpoint
 * or release on owning it with the counter this process wrote last. Every write increments the
 * counter. Each call is bounded by `timeoutMs`: a renewal that hangs must not outlive the lease.
 */
export class ShardLeaseTable {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #timeoutMs: number;
  /** Leases that #landedEarlier read back rather than wrote. */
  readonly #readBack = new WeakSet<StreamLease>();
  readonly owner: string;

  constructor(options: {
    doc: DynamoDBDocumentClient;
    tableName: string;
    owner: string;
    timeoutMs: number;
  }) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.owner = options.owner;
    // AbortSignal.timeout takes whole milliseconds only (a third of 5000 is not one).
    this.#timeoutMs = Math.max(1, Math.ceil(options.timeoutMs));
  }

  #signal() {
    return { abortSignal: AbortSignal.timeout(this.#timeoutMs) };
  }

  /** Every lease: one strongly consistent Query of the lease partition. */
  async list(): Promise<StreamLease[]> {
    const query = streamLeasesQuery();
    const leases: StreamLease[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.#doc.send(
        new QueryCommand({
          TableName: this.#tableName,
          ...query.input,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
        this.#signal(),
      );
      for (const item of output.Items ?? []) leases.push(toStreamLease(item as Item));
      start = output.LastEvaluatedKey;
    } while (start);
    return leases;
  }

  /** A free lease for a shard that has none; false when another process made it first. */
  async create(
    shard: { shardId: string; parentShardId: string | undefined; skipBefore: string },
    nowMs = Date.now(),
  ): Promise<boolean> {
    const lease: StreamLease = {
      ...shard,
      owner: undefined,
      counter: 0,
      checkpoint: undefined,
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: streamLeaseExpiry(nowMs),
    };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: streamLeaseItem(lease),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
        this.#signal(),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Takes a lease as observed (free or expired); null when another process wrote it since. */
  take(observed: StreamLease, nowMs = Date.now()): Promise<StreamLease | null> {
    return this.#update(observed, {
      set: { owner: this.owner },
      condition: '#counter = :observed',
      nowMs,
    });
  }

  /**
   * Renews a lease this process holds (as it last wrote it), with the checkpoint when given;
   * null when the lease was taken by another process.
   */
  async renew(
    held: StreamLease,
    checkpoint?: string,
    nowMs = Date.now(),
  ): Promise<StreamLease | null> {
    const change = {
      set: (checkpoint ? { checkpoint } : {}) as Record<string, string>,
      condition: '#owner = :me AND #counter = :observed',
      nowMs,
    };
    const renewed = await this.#update(held, change);
    // Read back: an earlier write of ours landed, maybe long ago. Renew once more, so that the
    // lease's clock, as others see it, starts now as the reader will assume.
    if (renewed && this.#readBack.has(renewed)) return this.#update(renewed, change);
    return renewed;
  }

  /**
   * Gives a lease up, keeping (or moving) its checkpoint, so a successor takes it at once;
   * false when it was no longer this process's.
   */
  async release(held: StreamLease, checkpoint?: string, nowMs = Date.now()): Promise<boolean> {
    const released = await this.#update(held, {
      set: checkpoint ? { checkpoint } : {},
      remove: 'owner',
      condition: '#owner = :me AND #counter = :observed',
      nowMs,
    });
    return released !== null;
  }

  async #update(
    lease: StreamLease,
    change: {
      set: Record<string, string>;
      remove?: string;
      condition: string;
      nowMs: number;
    },
  ): Promise<StreamLease | null> {
    const names: Record<string, string> = { '#counter': 'counter', '#owner': 'owner' };
    const values: Record<string, unknown> = {
      ':observed': lease.counter,
      ':next': lease.counter + 1,
      ':expiresAt': streamLeaseExpiry(change.nowMs),
    };
    const sets = ['#counter = :next', 'expiresAt = :expiresAt'];
    for (const [field, value] of Object.entries(change.set)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (change.condition.includes(':me')) values[':me'] = this.owner;
    const remove = change.remove ? ` REMOVE #${change.remove}` : '';
    try {
      const output = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: streamLeaseKey(lease.shardId),
          UpdateExpression: `SET ${sets.join(', ')}${remove}`,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
        this.#signal(),
      );
      return output.Attributes ? toStreamLease(output.Attributes as Item) : null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.#landedEarlier(lease, change.remove === 'owner');
    }
  }

  /**
   * A condition that failed may be this process's own write of unknown outcome: an attempt that
   * timed out and landed, then a retry that found the counter moved. Read back: when the lease
   * still names this process (or, for a release, nobody) with a newer counter, that write landed
   * and nobody took the lease since (a take names its taker). Without this a slow renewal would
   * look like a lost lease, and the shard would be read again from the last checkpoint.
   */
  async #landedEarlier(lease: StreamLease, released: boolean): Promise<StreamLease | null> {
    const output = await this.#doc.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: streamLeaseKey(lease.shardId),
        ConsistentRead: true,
      }),
      this.#signal(),
    );
    if (!output.Item) return null;
    const current = toStreamLease(output.Item as Item);
    const owner = released ? undefined : this.owner;
    if (current.owner !== owner || current.counter <= lease.counter) return null;
    this.#readBack.add(current);
    return current;
  }
}
