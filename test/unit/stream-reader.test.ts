import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { eventsFromRecord } from '../../src/events/events.js';
import { StreamReader } from '../../src/events/stream-reader.js';
import { inventoryKey } from '../../src/models/inventory.js';
import { until } from '../helpers/until.js';

const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true });

describe('eventsFromRecord', () => {
  it('makes a stock event from an inventory change, and none when the stock did not change', () => {
    const next = {
      entity: 'Inventory',
      productId: 'p1',
      stock: 3,
      ...inventoryKey('p1'),
    };
    const [event] = eventsFromRecord({
      eventName: 'MODIFY',
      dynamodb: { NewImage: image(next), OldImage: image({ ...next, stock: 5 }) },
    });
    expect(event).toMatchObject({ type: 'stock', productId: 'p1', stock: 3 });
    expect(
      eventsFromRecord({
        eventName: 'MODIFY',
        dynamodb: { NewImage: image(next), OldImage: image(next) },
      }),
    ).toEqual([]);
  });

  it('makes an order event only when the status changes', () => {
    const order = { entity: 'Order', id: 'o1', customerId: 'c1', status: 'PAID', lines: [] };
    expect(
      eventsFromRecord({
        dynamodb: { NewImage: image(order), OldImage: image({ ...order, status: 'PENDING' }) },
      }),
    ).toMatchObject([
      { type: 'order', customerId: 'c1', orderId: 'o1', status: 'PAID', previousStatus: 'PENDING' },
    ]);
    expect(
      eventsFromRecord({ dynamodb: { NewImage: image(order), OldImage: image(order) } }),
    ).toEqual([]);
    expect(
      eventsFromRecord({ dynamodb: { NewImage: image({ ...order, status: 'LOST' }) } }),
    ).toEqual([]);
  });

  it('names product and category changes, and ignores other entities', () => {
    expect(
      eventsFromRecord({ dynamodb: { NewImage: image({ entity: 'Product', id: 'p1' }) } }),
    ).toEqual([{ type: 'product', productId: 'p1', change: 'created' }]);
    expect(
      eventsFromRecord({ dynamodb: { OldImage: image({ entity: 'Product', id: 'p1' }) } }),
    ).toEqual([{ type: 'product', productId: 'p1', change: 'removed' }]);
    expect(
      eventsFromRecord({ dynamodb: { NewImage: image({ entity: 'Category', slug: 'tea' }) } }),
    ).toEqual([{ type: 'category', slug: 'tea' }]);
    expect(
      eventsFromRecord({ dynamodb: { NewImage: image({ entity: 'CartLine', productId: 'p' }) } }),
    ).toEqual([]);
    expect(eventsFromRecord({})).toEqual([]);
  });
});

/**
 * A scripted DynamoDB Streams API: shard A is open at start, expires its iterator once, then
 * closes; shard B (A's child) appears after that. DynamoDB Local cannot do either on demand.
 */
class FakeStreams {
  calls: string[] = [];
  /** When each GetRecords call came (performance.now()). */
  getRecordsAt: number[] = [];
  failNextGetRecords = 0;
  shards = [{ ShardId: 'A', SequenceNumberRange: { StartingSequenceNumber: '1' } }] as Array<{
    ShardId: string;
    ParentShardId?: string;
    SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
  }>;
  records: Record<string, _Record[]> = { A: [], B: [] };
  expiredOnce = false;
  closeA = false;

  async send(command: {
    constructor: { name: string };
    input: Record<string, string | undefined>;
  }) {
    const name = command.constructor.name;
    this.calls.push(
      `${name}${command.input.ShardIteratorType ? `:${command.input.ShardId}:${command.input.ShardIteratorType}` : ''}`,
    );
    if (name === 'DescribeStreamCommand') return { StreamDescription: { Shards: this.shards } };
    if (name === 'GetShardIteratorCommand') {
      const after = command.input.SequenceNumber ?? '';
      return { ShardIterator: `${command.input.ShardId}|${after}` };
    }
    if (name === 'GetRecordsCommand') {
      this.getRecordsAt.push(performance.now());
      if (this.failNextGetRecords > 0) {
        this.failNextGetRecords--;
        throw Object.assign(new Error('throttled'), { name: 'LimitExceededException' });
      }
      const [shard = '', after = ''] = (command.input.ShardIterator ?? '').split('|');
      if (shard === 'A' && this.records.A!.length >= 3 && !this.expiredOnce) {
        this.expiredOnce = true;
        throw Object.assign(new Error('expired'), { name: 'ExpiredIteratorException' });
      }
      const pending = (this.records[shard] ?? []).filter(
        (r) => (r.dynamodb?.SequenceNumber ?? '') > after,
      );
      const last = pending.at(-1)?.dynamodb?.SequenceNumber ?? after;
      const closed = shard === 'A' && this.closeA && pending.length === 0;
      return { Records: pending, NextShardIterator: closed ? undefined : `${shard}|${last}` };
    }
    throw new Error(`unexpected ${name}`);
  }
}

const dynamo = {
  send: async () => ({
    Table: { LatestStreamArn: 'arn:stream', StreamSpecification: { StreamEnabled: true } },
  }),
} as unknown as DynamoDBClient;

const record = (seq: string, stock: number): _Record => ({
  eventName: 'MODIFY',
  dynamodb: {
    SequenceNumber: seq,
    NewImage: image({ entity: 'Inventory', productId: 'p', stock }) as never,
  },
});

describe('StreamReader', () => {
  it('renews an expired iterator after the last record read, backs off on errors, and follows a closed shard to its child', async () => {
    const fake = new FakeStreams();
    const seen: string[] = [];
    const reader = new StreamReader({
      streams: fake as unknown as DynamoDBStreamsClient,
      dynamo,
      tableName: 'Shop',
      logger: createLogger('silent'),
      pollIntervalMs: 5,
      discoverIntervalMs: 20,
      maxBackoffMs: 20,
      onRecords: (records) => seen.push(...records.map((r) => r.dynamodb?.SequenceNumber ?? '?')),
    });
    await reader.start();
    expect(fake.calls).toContain('GetShardIteratorCommand:A:LATEST');

    fake.records.A!.push(record('2', 1), record('3', 2));
    await until(() => seen.length === 2, 3_000);
    expect(seen).toEqual(['2', '3']);

    fake.failNextGetRecords = 2;
    fake.records.A!.push(record('4', 3));
    await until(() => seen.length === 3, 3_000);
    expect(reader.stats().errors).toBe(2);
    // The iterator expired once: it was renewed after the last sequence number read, so
    // nothing was skipped or read twice.
    expect(fake.expiredOnce).toBe(true);
    expect(fake.calls).toContain('GetShardIteratorCommand:A:AFTER_SEQUENCE_NUMBER');
    expect(seen).toEqual(['2', '3', '4']);

    // A closes; its child B appears, and is read from its first record.
    fake.closeA = true;
    fake.shards[0]!.SequenceNumberRange.EndingSequenceNumber = '4';
    fake.shards.push({
      ShardId: 'B',
      ParentShardId: 'A',
      SequenceNumberRange: { StartingSequenceNumber: '5' },
    });
    fake.records.B!.push(record('5', 4));
    await until(() => seen.length === 4, 3_000);
    expect(seen).toEqual(['2', '3', '4', '5']);
    expect(fake.calls).toContain('GetShardIteratorCommand:B:TRIM_HORIZON');
    expect(reader.stats()).toMatchObject({ shards: 2, openShards: 1, records: 4 });
    await reader.stop();
    expect(reader.stats().running).toBe(false);
    const after = fake.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.calls.length).toBe(after);
  });

  it('polls a quiet shard less and less often, and at the short interval again once it has records', async () => {
    const reader = (fake: FakeStreams, maxIdlePollIntervalMs: number, seen: string[]) =>
      new StreamReader({
        streams: fake as unknown as DynamoDBStreamsClient,
        dynamo,
        tableName: 'Shop',
        logger: createLogger('silent'),
        pollIntervalMs: 20,
        maxIdlePollIntervalMs,
        discoverIntervalMs: 60_000,
        onRecords: (records) => seen.push(...records.map((r) => r.dynamodb?.SequenceNumber ?? '?')),
      });
    const idle = new FakeStreams();
    const fixed = new FakeStreams();
    const seen: string[] = [];
    const idleReader = reader(idle, 320, seen);
    const fixedReader = reader(fixed, 20, []);
    await Promise.all([idleReader.start(), fixedReader.start()]);
    // The same quiet second for both: waits of 20, 40, 80, 160, then 320 ms against 20 ms each.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const idleCalls = idle.getRecordsAt.length;
    const fixedCalls = fixed.getRecordsAt.length;
    expect(idleCalls).toBeGreaterThanOrEqual(4);
    expect(idleCalls).toBeLessThanOrEqual(12);
    expect(fixedCalls).toBeGreaterThan(3 * idleCalls);
    await fixedReader.stop();

    // A change after the quiet spell is read at the next call, within the longest wait...
    idle.records.A!.push(record('2', 1));
    const pushedAt = performance.now();
    await until(() => seen.length === 1, 3_000);
    expect(seen).toEqual(['2']);
    // ...and the shard is polled at the short interval again: one call right after the records,
    // the next 20 ms later (well under the 320 ms it had backed off to).
    const delivered = idle.getRecordsAt.findIndex((at) => at >= pushedAt);
    await until(() => idle.getRecordsAt.length >= delivered + 3, 3_000);
    const after = idle.getRecordsAt.slice(delivered, delivered + 3);
    expect(after[2]! - after[1]!).toBeLessThan(160);
    await idleReader.stop();
  });
});

describe('StreamReader consumers', () => {
  it('awaits onRecords, and hands the same records again when it rejects, without moving on', async () => {
    const fake = new FakeStreams();
    const calls: string[][] = [];
    let failures = 2;
    let inFlight = 0;
    let overlapped = false;
    const reader = new StreamReader({
      streams: fake as unknown as DynamoDBStreamsClient,
      dynamo,
      tableName: 'Shop',
      logger: createLogger('silent'),
      pollIntervalMs: 5,
      maxBackoffMs: 20,
      discoverIntervalMs: 60_000,
      onRecords: async (records, shardId) => {
        if (inFlight > 0) overlapped = true;
        inFlight++;
        calls.push([shardId, ...records.map((r) => r.dynamodb?.SequenceNumber ?? '?')]);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        if (failures > 0) {
          failures--;
          throw new Error('consumer down');
        }
      },
    });
    await reader.start();
    fake.records.A!.push(record('2', 1));
    await until(() => calls.length === 3, 3_000);
    fake.records.A!.push(record('3', 2));
    await until(() => calls.length === 4, 3_000);
    await reader.stop();
    expect(calls).toEqual([
      ['A', '2'],
      ['A', '2'],
      ['A', '2'],
      ['A', '3'],
    ]);
    expect(overlapped).toBe(false);
    // Records count once, when taken; the two rejections are errors.
    expect(reader.stats()).toMatchObject({ records: 2, errors: 2, leasesHeld: 0, owner: null });
  });
});
