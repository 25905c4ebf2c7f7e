import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../app/logger.js';
import { SHARD_END, type StreamLease } from '../models/stream-lease.js';
import { createdBefore, LeaseObserver, leasesToTake, ShardLeaseTable } from './shard-leases.js';

export interface StreamReaderOptions {
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  /**
   * Awaited: the reader moves past (and checkpoints) a batch only once this resolves. When it
   * throws or rejects, the same records are handed again after a backoff. (Two signatures
   * rather than one returning `void | Promise<void>`, so that a consumer whose body returns a
   * value, as `(r) => seen.push(...r)` does, still fits.)
   */
  onRecords:
    | ((records: StreamRecord[], shardId: string) => void)
    | ((records: StreamRecord[], shardId: string) => Promise<void>);
  /**
   * One reader per shard across processes: a shard is read only while this process holds its
   * lease, an item of the table itself (src/models/stream-lease.ts). Without it, every process
   * reads every shard. `owner` must be unique to this reader (a process id and a random part):
   * two readers with one name would both think they hold a lease.
   */
  leases?: { doc: DynamoDBDocumentClient; owner: string; leaseDurationMs?: number };
  /** Wait after a GetRecords call of one shard that came back empty. */
  pollIntervalMs?: number;
  /**
   * While a shard stays quiet the wait doubles after each empty call, up to this, and drops back
   * to `pollIntervalMs` as soon as a call returns records.
   */
  maxIdlePollIntervalMs?: number;
  /** How often DescribeStream looks for new shards. */
  discoverIntervalMs?: number;
  maxBackoffMs?: number;
}

interface ShardState {
  id: string;
  parentId: string | undefined;
  /** Where to start when there is no sequence number to continue after. */
  startType: ShardIteratorType;
  iterator: string | undefined;
  /** The last record handled (delivered, or skipped as history): where to continue after. */
  lastSequence: string | undefined;
  done: boolean;
}

/** A lease this process holds, as it last wrote it. */
interface HeldLease {
  lease: StreamLease;
  state: ShardState;
  /** performance.now() when the last successful take or renewal was sent. */
  renewedAt: number;
  lost: boolean;
  /** Aborted when the lease is lost or released: the shard's poller stops at once. */
  abort: AbortController;
  /** Before this (ms), records are history; set while reading from TRIM_HORIZON. */
  skipBeforeMs: number | undefined;
  /** The lease's writes, one after another (renewals, the final checkpoint). */
  writes: Promise<void>;
}

export interface StreamReaderStats {
  running: boolean;
  shards: number;
  openShards: number;
  records: number;
  errors: number;
  lastRecordAt: string | null;
  /** The lease owner name; null without leases. */
  owner: string | null;
  /** Shards whose lease this process holds (and so reads); 0 without leases. */
  leasesHeld: number;
}

const DEFAULT_LEASE_DURATION_MS = 5_000;

/**
 * Reads the table's DynamoDB stream in this process: DescribeStream finds the shards,
 * GetShardIterator and GetRecords read each one, a child shard is read after its parent
 * (order per item is kept), expired iterators are renewed after the last sequence number read,
 * and errors back off exponentially with jitter. Shards open at start are read from LATEST
 * (the gateway reacts to what happens from now on); shards that appear later from TRIM_HORIZON.
 *
 * A quiet shard is polled less and less often (250 ms, 500 ms, then every second by default), as
 * the Kinesis Client Library does between idle reads: an empty GetRecords call still costs the
 * gateway a DynamoDB Streams request and its CPU, four times a second per shard at a fixed 250 ms.
 * The price is latency after a quiet spell: the first change is seen within about a second.
 *
 * With `leases`, the Kinesis Client Library's lease model: each shard has a lease item in the
 * table, and a process reads a shard only while it holds the lease, from the lease's checkpoint.
 * It renews what it holds every third of the lease duration (the checkpoint rides on that
 * write: lease writes are stream records too, so a write per batch would feed itself), stops
 * reading a shard at once when a renewal finds the lease taken, and takes free or expired leases
 * (their counter unchanged for a lease duration by its own clock). stop() releases what it
 * holds, so a successor starts at once. A lease never checkpointed is read from TRIM_HORIZON,
 * skipping the history from before the fleet's first lease.
 */
export class StreamReader {
  readonly #options: Required<Omit<StreamReaderOptions, 'onRecords' | 'leases'>> &
    Pick<StreamReaderOptions, 'onRecords'>;
  readonly #shards = new Map<string, ShardState>();
  readonly #pollers = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  readonly #leaseTable: ShardLeaseTable | undefined;
  readonly #leaseDurationMs: number;
  readonly #observer = new LeaseObserver();
  readonly #held = new Map<string, HeldLease>();
  #streamArn: string | undefined;
  #discoverLoop: Promise<void> | undefined;
  #leaseLoops: Promise<void>[] = [];
  /** Wakes the lease scan early (a shard read to its end, new shards). */
  #wakeScan: (() => void) | undefined;
  #stats = { records: 0, errors: 0, lastRecordAt: null as string | null };

  constructor(options: StreamReaderOptions) {
    const { leases, ...rest } = options;
    this.#options = {
      pollIntervalMs: 250,
      maxIdlePollIntervalMs: 1_000,
      discoverIntervalMs: 5_000,
      maxBackoffMs: 5_000,
      ...rest,
    };
    this.#leaseDurationMs = leases?.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#leaseTable = leases
      ? new ShardLeaseTable({
          doc: leases.doc,
          tableName: options.tableName,
          owner: leases.owner,
          // A lease write slower than a renewal interval is as good as failed.
          timeoutMs: Math.max(100, this.#leaseDurationMs / 3),
        })
      : undefined;
  }

  /**
   * Resolves when every open shard has an iterator: writes after this are not missed. With
   * leases, once the first round of taking is done: the lease holds the place to read from.
   */
  async start(): Promise<void> {
    const { Table } = await this.#options.dynamo.send(
      new DescribeTableCommand({ TableName: this.#options.tableName }),
    );
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`table ${this.#options.tableName} has no stream enabled`);
    }
    this.#streamArn = Table.LatestStreamArn;
    await this.#discover(true);
    if (this.#leaseTable) {
      await this.#scanLeases();
      this.#leaseLoops = [this.#loopRenewals(), this.#loopScans()];
    }
    this.#discoverLoop = this.#loopDiscovery();
    this.#options.logger.info(
      {
        stream: this.#streamArn,
        shards: this.#shards.size,
        ...(this.#leaseTable ? { owner: this.#leaseTable.owner, leases: this.#held.size } : {}),
      },
      'stream reader started',
    );
  }

  /** Stops reading; with leases, releases them after the last batch, with its checkpoint. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([this.#discoverLoop, ...this.#leaseLoops, ...this.#pollers.values()]);
    await Promise.allSettled(
      [...this.#held.values()].map((held) =>
        this.#leaseWrite(held, async () => {
          if (held.lost) return;
          const checkpoint = held.state.done ? SHARD_END : held.state.lastSequence;
          await this.#leaseTable?.release(held.lease, checkpoint);
          this.#drop(held);
        }),
      ),
    );
    this.#options.logger.info({ records: this.#stats.records }, 'stream reader stopped');
  }

  stats(): StreamReaderStats {
    const states = [...this.#shards.values()];
    return {
      running: this.#streamArn !== undefined && !this.#stop.signal.aborted,
      shards: states.length,
      openShards: states.filter((s) => !s.done).length,
      ...this.#stats,
      owner: this.#leaseTable?.owner ?? null,
      leasesHeld: this.#held.size,
    };
  }

  async #loopDiscovery(): Promise<void> {
    let backoff = 0;
    while (!this.#stop.signal.aborted) {
      await this.#sleep(backoff || this.#options.discoverIntervalMs);
      if (this.#stop.signal.aborted) return;
      try {
        await this.#discover(false);
        backoff = 0;
      } catch (error) {
        backoff = this.#nextBackoff(backoff);
        this.#stats.errors++;
        this.#options.logger.warn({ err: error, retryInMs: backoff }, 'DescribeStream failed');
      }
    }
  }

  async #discover(initial: boolean): Promise<void> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const output = await this.#options.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.#streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      shards.push(...(output.StreamDescription?.Shards ?? []));
      start = output.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const fresh: ShardState[] = [];
    for (const shard of shards) {
      if (!shard.ShardId || this.#shards.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      // At start, closed shards hold history from before this process: skip them. With leases,
      // the leases say what was read: a closed shard may still have records nobody read.
      if (initial && closed && !this.#leaseTable) continue;
      const state: ShardState = {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        startType: initial && !this.#leaseTable ? 'LATEST' : 'TRIM_HORIZON',
        iterator: undefined,
        lastSequence: undefined,
        done: false,
      };
      this.#shards.set(state.id, state);
      fresh.push(state);
    }
    // With leases, a shard is read once its lease is taken (#scanLeases).
    if (this.#leaseTable) {
      if (fresh.length > 0) this.#wakeScan?.();
      return;
    }
    // Take the iterators now, so that start() covers every write that follows it.
    await Promise.all(
      fresh.map(async (state) => {
        if (initial) state.iterator = await this.#iterator(state);
        this.#pollers.set(state.id, this.#poll(state, undefined));
      }),
    );
  }

  async #iterator(state: ShardState): Promise<string | undefined> {
    const output = await this.#options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.#streamArn,
        ShardId: state.id,
        ...(state.lastSequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequence }
          : { ShardIteratorType: state.startType }),
      }),
    );
    return output.ShardIterator;
  }

  async #poll(state: ShardState, held: HeldLease | undefined): Promise<void> {
    // A child shard's records come after its parent's: wait for the parent to be read. (With
    // leases, a child's lease is only taken once its parent's says SHARD_END.)
    const parent = !held && state.parentId ? this.#pollers.get(state.parentId) : undefined;
    if (parent) await parent;
    const signal = held ? AbortSignal.any([this.#stop.signal, held.abort.signal]) : undefined;
    const stopped = () => this.#stop.signal.aborted || held?.lost === true;
    let backoff = 0;
    let idleWait = this.#options.pollIntervalMs;
    const longestWait = Math.max(this.#options.maxIdlePollIntervalMs, this.#options.pollIntervalMs);
    while (!stopped() && !state.done) {
      try {
        state.iterator ??= await this.#iterator(state);
        if (!state.iterator) {
          state.done = true;
          break;
        }
        const output = await this.#options.streams.send(
          new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1_000 }),
        );
        const records = output.Records ?? [];
        if (records.length > 0) {
          const skipBefore = held?.skipBeforeMs;
          const fresh =
            skipBefore === undefined
              ? records
              : records.filter(
                  (r) => !createdBefore(r.dynamodb?.ApproximateCreationDateTime, skipBefore),
                );
          if (fresh.length > 0 && !(await this.#deliver(state, fresh, held, signal))) break;
          state.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? state.lastSequence;
        }
        state.iterator = output.NextShardIterator;
        // No next iterator: the shard is closed and fully read.
        if (!state.iterator) state.done = true;
        backoff = 0;
        if (records.length > 0) {
          idleWait = this.#options.pollIntervalMs;
        } else if (!state.done) {
          await this.#sleep(idleWait, signal);
          idleWait = Math.min(longestWait, idleWait * 2);
        }
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ExpiredIteratorException') {
          state.iterator = undefined; // renewed after the last sequence number read
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          state.iterator = undefined;
          state.lastSequence = undefined;
          state.startType = 'TRIM_HORIZON';
          continue;
        }
        if (name === 'ResourceNotFoundException') {
          state.done = true;
          break;
        }
        this.#stats.errors++;
        backoff = this.#nextBackoff(backoff);
        this.#options.logger.warn(
          { err: error, shard: state.id, retryInMs: backoff },
          'reading the stream failed',
        );
        state.iterator = undefined;
        await this.#sleep(backoff, signal);
      }
    }
    if (held) {
      // Read to its end: SHARD_END now, so the children's leases can be taken.
      if (state.done && !held.lost) await this.#renew(held);
      return;
    }
    // A closed shard may have children: look for them now rather than at the next interval.
    if (state.done && !this.#stop.signal.aborted) {
      await this.#discover(false).catch(() => undefined);
    }
  }

  /**
   * Hands the records to onRecords until it takes them; false when the reader stops or loses
   * the lease first (the records stay unread, for the next reader after the checkpoint).
   */
  async #deliver(
    state: ShardState,
    records: StreamRecord[],
    held: HeldLease | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    let backoff = 0;
    for (;;) {
      if (this.#stop.signal.aborted || held?.lost) return false;
      // A lease not renewed for a while may be someone else's soon: wait until a renewal
      // confirms it (or finds it lost) rather than hand records that another reader also will.
      if (held && !this.#leaseValid(held)) {
        await this.#sleep(Math.max(10, this.#leaseDurationMs / 30), signal);
        continue;
      }
      try {
        await this.#options.onRecords(records, state.id);
        this.#stats.records += records.length;
        this.#stats.lastRecordAt = new Date().toISOString();
        return true;
      } catch (error) {
        this.#stats.errors++;
        backoff = this.#nextBackoff(backoff);
        this.#options.logger.error(
          { err: error, shard: state.id, records: records.length, retryInMs: backoff },
          'a stream consumer failed: the same records follow again',
        );
        await this.#sleep(backoff, signal);
      }
    }
  }

  #leaseValid(held: HeldLease): boolean {
    // Others count a lease duration from when they first see our last write, which is after we
    // sent it: by our clock, the lease is ours for a lease duration after the send.
    const margin = Math.min(500, this.#leaseDurationMs / 10);
    return !held.lost && performance.now() - held.renewedAt < this.#leaseDurationMs - margin;
  }

  async #loopRenewals(): Promise<void> {
    const interval = this.#leaseDurationMs / 3;
    while (!this.#stop.signal.aborted) {
      await this.#sleep(interval);
      if (this.#stop.signal.aborted) return;
      await Promise.allSettled([...this.#held.values()].map((held) => this.#renew(held)));
    }
  }

  /** One renewal of a held lease, with its checkpoint; SHARD_END and a release once read. */
  #renew(held: HeldLease): Promise<void> {
    return this.#leaseWrite(held, async () => {
      const table = this.#leaseTable;
      if (!table || held.lost || this.#stop.signal.aborted) return;
      const sentAt = performance.now();
      try {
        if (held.state.done) {
          if (await table.release(held.lease, SHARD_END)) {
            this.#options.logger.info({ shard: held.state.id }, 'shard read to its end');
            this.#drop(held);
            // Its children may be new: look for them now rather than at the next interval.
            this.#wakeScan?.();
            void this.#discover(false).catch(() => undefined);
          } else this.#lose(held);
          return;
        }
        const checkpoint = held.state.lastSequence;
        const renewed = await table.renew(
          held.lease,
          checkpoint !== held.lease.checkpoint ? checkpoint : undefined,
        );
        if (!renewed) return this.#lose(held);
        held.lease = renewed;
        held.renewedAt = sentAt;
      } catch (error) {
        // Not lost yet: the next renewal may still come in time (#leaseValid pauses reading).
        this.#stats.errors++;
        this.#options.logger.warn({ err: error, shard: held.state.id }, 'lease renewal failed');
      }
    });
  }

  #leaseWrite(held: HeldLease, write: () => Promise<void>): Promise<void> {
    const next = held.writes.then(write, write);
    held.writes = next.catch(() => undefined);
    return next;
  }

  /** Another process took the lease: no more onRecords for this shard from here. */
  #lose(held: HeldLease): void {
    if (held.lost) return;
    this.#options.logger.warn({ shard: held.state.id }, 'lost a shard lease to another reader');
    this.#drop(held);
  }

  #drop(held: HeldLease): void {
    held.lost = true;
    held.abort.abort();
    if (this.#held.get(held.state.id) === held) this.#held.delete(held.state.id);
  }

  async #loopScans(): Promise<void> {
    // Often enough that an expired lease is taken soon after it expires: the next look is also
    // brought forward to the moment the first observed lease would expire.
    // A released lease is seen at the next look: at most half a second, whatever the duration.
    const interval = Math.min(this.#leaseDurationMs / 3, 500);
    let backoff = 0;
    let wait = interval;
    while (!this.#stop.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#wakeScan = resolve;
        void this.#sleep(wait).then(resolve);
      });
      this.#wakeScan = undefined;
      if (this.#stop.signal.aborted) return;
      try {
        const expiry = await this.#scanLeases();
        backoff = 0;
        const untilExpiry = expiry === undefined ? interval : expiry - performance.now() + 5;
        wait = Math.max(10, Math.min(interval, untilExpiry));
      } catch (error) {
        backoff = this.#nextBackoff(backoff);
        wait = backoff;
        this.#stats.errors++;
        this.#options.logger.warn(
          { err: error, retryInMs: backoff },
          'scanning shard leases failed',
        );
      }
    }
  }

  /**
   * Lists the leases, makes the missing ones (parents first, so a child inherits its parent's
   * history mark), and takes what is free or expired. Returns when the next observed lease would
   * expire (performance.now() time).
   */
  async #scanLeases(): Promise<number | undefined> {
    const table = this.#leaseTable;
    if (!table) return undefined;
    let leases = await table.list();
    const marks = new Map(leases.map((lease) => [lease.shardId, lease.skipBefore]));
    let created = false;
    for (const state of parentsFirst([...this.#shards.values()])) {
      if (marks.has(state.id)) continue;
      const parentMark = state.parentId ? marks.get(state.parentId) : undefined;
      const skipBefore = parentMark ?? new Date().toISOString();
      await table.create({ shardId: state.id, parentShardId: state.parentId, skipBefore });
      created = true;
      marks.set(state.id, skipBefore);
    }
    if (created) leases = await table.list();
    const now = performance.now();
    this.#observer.observe(leases, now);
    for (const lease of leases) {
      const held = this.#held.get(lease.shardId);
      // Taken from under us: stop now rather than at the next renewal.
      if (held && lease.owner !== table.owner) this.#lose(held);
    }
    const toTake = leasesToTake({
      leases,
      shards: this.#shards,
      owner: table.owner,
      held: new Set(this.#held.keys()),
      observer: this.#observer,
      now,
      durationMs: this.#leaseDurationMs,
    });
    for (const observed of toTake) {
      if (this.#stop.signal.aborted) break;
      const sentAt = performance.now();
      const taken = await table.take(observed);
      if (!taken) continue;
      this.#startHeld(taken, sentAt);
    }
    const others = leases.filter(
      (lease) => lease.owner && !this.#held.has(lease.shardId) && lease.checkpoint !== SHARD_END,
    );
    return this.#observer.nextExpiry(others, this.#leaseDurationMs);
  }

  #startHeld(lease: StreamLease, sentAt: number): void {
    const state = this.#shards.get(lease.shardId);
    if (!state) return;
    state.iterator = undefined;
    state.done = false;
    state.lastSequence = lease.checkpoint;
    state.startType = 'TRIM_HORIZON';
    const held: HeldLease = {
      lease,
      state,
      renewedAt: sentAt,
      lost: false,
      abort: new AbortController(),
      skipBeforeMs: lease.checkpoint ? undefined : Date.parse(lease.skipBefore),
      writes: Promise.resolve(),
    };
    this.#held.set(state.id, held);
    this.#options.logger.info(
      { shard: state.id, checkpoint: lease.checkpoint ?? null, counter: lease.counter },
      'took a shard lease',
    );
    const poller = this.#poll(state, held).catch((error: unknown) => {
      this.#options.logger.error({ err: error, shard: state.id }, 'shard poller failed');
    });
    this.#pollers.set(state.id, poller);
  }

  #nextBackoff(previous: number): number {
    const base = Math.min(this.#options.maxBackoffMs, Math.max(100, previous * 2));
    return base / 2 + Math.random() * (base / 2);
  }

  #sleep(ms: number, signal: AbortSignal = this.#stop.signal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Shards ordered so that a parent comes before its children. */
function parentsFirst(states: ShardState[]): ShardState[] {
  const byId = new Map(states.map((s) => [s.id, s]));
  const ordered: ShardState[] = [];
  const placed = new Set<string>();
  const place = (state: ShardState, depth: number) => {
    if (placed.has(state.id) || depth > states.length) return;
    const parent = state.parentId ? byId.get(state.parentId) : undefined;
    if (parent) place(parent, depth + 1);
    placed.add(state.id);
    ordered.push(state);
  };
  for (const state of states) place(state, 0);
  return ordered;
}
