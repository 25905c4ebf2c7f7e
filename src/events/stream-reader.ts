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
import type { Logger } from '../app/logger.js';

export interface StreamReaderOptions {
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  onRecords: (records: StreamRecord[]) => void;
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
  lastSequence: string | undefined;
  done: boolean;
}

export interface StreamReaderStats {
  running: boolean;
  shards: number;
  openShards: number;
  records: number;
  errors: number;
  lastRecordAt: string | null;
}

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
 */
export class StreamReader {
  readonly #options: Required<Omit<StreamReaderOptions, 'onRecords'>> &
    Pick<StreamReaderOptions, 'onRecords'>;
  readonly #shards = new Map<string, ShardState>();
  readonly #pollers = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  #streamArn: string | undefined;
  #discoverLoop: Promise<void> | undefined;
  #stats = { records: 0, errors: 0, lastRecordAt: null as string | null };

  constructor(options: StreamReaderOptions) {
    this.#options = {
      pollIntervalMs: 250,
      maxIdlePollIntervalMs: 1_000,
      discoverIntervalMs: 5_000,
      maxBackoffMs: 5_000,
      ...options,
    };
  }

  /** Resolves when every open shard has an iterator: writes after this are not missed. */
  async start(): Promise<void> {
    const { Table } = await this.#options.dynamo.send(
      new DescribeTableCommand({ TableName: this.#options.tableName }),
    );
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`table ${this.#options.tableName} has no stream enabled`);
    }
    this.#streamArn = Table.LatestStreamArn;
    await this.#discover(true);
    this.#discoverLoop = this.#loopDiscovery();
    this.#options.logger.info(
      { stream: this.#streamArn, shards: this.#shards.size },
      'stream reader started',
    );
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([this.#discoverLoop, ...this.#pollers.values()]);
    this.#options.logger.info({ records: this.#stats.records }, 'stream reader stopped');
  }

  stats(): StreamReaderStats {
    const states = [...this.#shards.values()];
    return {
      running: this.#streamArn !== undefined && !this.#stop.signal.aborted,
      shards: states.length,
      openShards: states.filter((s) => !s.done).length,
      ...this.#stats,
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
      // At start, closed shards hold history from before this process: skip them.
      if (initial && closed) continue;
      const state: ShardState = {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        startType: initial ? 'LATEST' : 'TRIM_HORIZON',
        iterator: undefined,
        lastSequence: undefined,
        done: false,
      };
      this.#shards.set(state.id, state);
      fresh.push(state);
    }
    // Take the iterators now, so that start() covers every write that follows it.
    await Promise.all(
      fresh.map(async (state) => {
        if (initial) state.iterator = await this.#iterator(state);
        this.#pollers.set(state.id, this.#poll(state));
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

  async #poll(state: ShardState): Promise<void> {
    // A child shard's records come after its parent's: wait for the parent to be read.
    const parent = state.parentId ? this.#pollers.get(state.parentId) : undefined;
    if (parent) await parent;
    let backoff = 0;
    let idleWait = this.#options.pollIntervalMs;
    const longestWait = Math.max(this.#options.maxIdlePollIntervalMs, this.#options.pollIntervalMs);
    while (!this.#stop.signal.aborted && !state.done) {
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
          state.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? state.lastSequence;
          this.#stats.records += records.length;
          this.#stats.lastRecordAt = new Date().toISOString();
          try {
            this.#options.onRecords(records);
          } catch (error) {
            this.#options.logger.error({ err: error }, 'a stream consumer failed');
          }
        }
        state.iterator = output.NextShardIterator;
        // No next iterator: the shard is closed and fully read.
        if (!state.iterator) state.done = true;
        backoff = 0;
        if (records.length > 0) {
          idleWait = this.#options.pollIntervalMs;
        } else if (!state.done) {
          await this.#sleep(idleWait);
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
        await this.#sleep(backoff);
      }
    }
    // A closed shard may have children: look for them now rather than at the next interval.
    if (state.done && !this.#stop.signal.aborted) {
      await this.#discover(false).catch(() => undefined);
    }
  }

  #nextBackoff(previous: number): number {
    const base = Math.min(this.#options.maxBackoffMs, Math.max(100, previous * 2));
    return base / 2 + Math.random() * (base / 2);
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stop.signal;
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
