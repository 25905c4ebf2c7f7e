import { randomUUID } from 'node:crypto';
import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { ShardLeaseTable } from '../../src/events/shard-leases.js';
import { StreamReader } from '../../src/events/stream-reader.js';
import {
  SHARD_END,
  type StreamLease,
  streamLeaseExpiry,
  streamLeaseItem,
} from '../../src/models/stream-lease.js';
import { createTestTable, type TestTable } from '../helpers/dynamo.js';
import { faultyDynamo, refused } from '../helpers/faults.js';
import { describeTestStream, testStreamsClient } from '../helpers/stream.js';
import {
  type Delivery,
  leaseReader,
  leaseReaderProcess,
  listLeases,
  ownWrites,
  type ReaderProcess,
  tally,
  writeItems,
  writeSteadily,
} from '../helpers/stream-leases.js';
import { until } from '../helpers/until.js';

// Short for quick tests, with room for a loaded CI machine between renewals.
const timing = { leaseDurationMs: 2_000, pollIntervalMs: 50 };
const renewMs = timing.leaseDurationMs / 3;

let tables: TestTable[] = [];
let readers: StreamReader[] = [];
let processes: ReaderProcess[] = [];
let writers: Array<{ stop(): Promise<unknown> }> = [];

function steadily(...args: Parameters<typeof writeSteadily>) {
  const writer = writeSteadily(...args);
  writers.push(writer);
  return writer;
}

async function table(): Promise<TestTable> {
  const created = await createTestTable('leases');
  tables.push(created);
  return created;
}

function reader(...args: Parameters<typeof leaseReader>): StreamReader {
  const made = leaseReader(...args);
  readers.push(made);
  return made;
}

afterEach(async () => {
  await Promise.allSettled(writers.map((w) => w.stop()));
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await Promise.all(readers.map((r) => r.stop()));
  await Promise.all(tables.map((t) => t.drop()));
  tables = [];
  readers = [];
  processes = [];
  writers = [];
});

const seq = (s: string) => BigInt(s);
const owner = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

describe('stream shard leases', () => {
  it('lets one of three readers read the shard, and delivers each write once in total', async () => {
    const t = await table();
    const sink: Delivery[] = [];
    const names = [owner('a'), owner('b'), owner('c')];
    // A longer lease than the other cases: what this one asserts is that nobody else ever reads,
    // and a renewal starved for a whole short lease on a loaded machine is a legitimate handoff.
    const steady = { ...timing, leaseDurationMs: 4_000 };
    const all = names.map((name) => reader(t, name, sink, steady));
    await Promise.all(all.map((r) => r.start()));
    const written = await writeItems(t, 'w', 40);
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    // Two more lease durations: the holder keeps renewing, nobody else takes over.
    await new Promise((r) => setTimeout(r, 2 * steady.leaseDurationMs));
    const holders = all.filter((r) => r.stats().leasesHeld === 1);
    expect(holders).toHaveLength(1);
    expect(all.reduce((n, r) => n + r.stats().leasesHeld, 0)).toBe(1);
    const holder = holders[0]!.stats().owner;
    const [lease] = await listLeases(t);
    expect(lease?.owner).toBe(holder);
    // Renewed every third of a lease duration, the checkpoint with it.
    expect(lease?.counter).toBeGreaterThanOrEqual(4);
    expect(lease?.checkpoint).toMatch(/^\d+$/);
    const { items, duplicates } = tally(sink);
    expect(new Set(ownWrites(sink).map((d) => d.reader))).toEqual(new Set([holder]));
    expect(duplicates).toEqual([]);
    expect([...items].sort()).toEqual(written);
  });

  it('takes over from a leader killed outright within a lease duration and a second, losing nothing', async () => {
    const t = await table();
    const sink: Delivery[] = [];
    const leaderName = owner('leader');
    const leader = leaseReaderProcess(t, leaderName, sink, timing);
    processes.push(leader);
    await leader.started;
    expect((await listLeases(t))[0]?.owner).toBe(leaderName);
    const followerName = owner('follower');
    const follower = reader(t, followerName, sink, timing);
    await follower.start();
    expect(follower.stats().leasesHeld).toBe(0);

    const writer = steadily(t, 'k', 20);
    await until(() => ownWrites(sink).length >= 40, 10_000, 'the leader to deliver');
    // Killed after a checkpoint (a renewal) or two: the case of a leader that has not
    // checkpointed yet is the TRIM_HORIZON one below.
    await until(
      async () => (await listLeases(t))[0]?.checkpoint !== undefined,
      10_000,
      'a checkpoint',
    );
    // Between two renewals, so that it dies with records handed after its last checkpoint.
    await new Promise((r) => setTimeout(r, renewMs * 0.6));
    leader.child.kill('SIGKILL');
    const diedAt = performance.now();
    await leader.exited;
    // Killed: no release. The lease still names the dead leader, with its last checkpoint.
    const [lease] = await listLeases(t);
    expect(lease?.owner).toBe(leaderName);
    const checkpoint = lease!.checkpoint!;
    expect(checkpoint).toMatch(/^\d+$/);

    const tookAt = await until(() => follower.stats().leasesHeld === 1, 10_000, 'the takeover');
    const takeoverMs = tookAt - diedAt;
    await new Promise((r) => setTimeout(r, 1_000));
    const written = await writer.stop();
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');

    const { items, duplicates } = tally(sink);
    const fromLeader = ownWrites(sink).filter((d) => d.reader === leaderName);
    const fromFollower = ownWrites(sink).filter((d) => d.reader === followerName);
    const leaderAfterCheckpoint = fromLeader.filter((d) => seq(d.sequence) > seq(checkpoint));
    console.log(
      `abrupt stop: takeover ${Math.round(takeoverMs)} ms after the kill (lease ${timing.leaseDurationMs} ms); ` +
        `${written.length} writes, ${written.length - items.size} lost, ${duplicates.length} delivered twice ` +
        `(${leaderAfterCheckpoint.length} delivered by the leader after its last checkpoint)`,
    );
    // Not before the lease could have expired (its last renewal at most a renewal interval
    // before the kill), and within a lease duration and a second, with a second's slack.
    expect(takeoverMs).toBeGreaterThan(timing.leaseDurationMs - renewMs - 100);
    expect(takeoverMs).toBeLessThan(timing.leaseDurationMs + 1_000 + 1_000);
    expect([...items].sort()).toEqual(written);
    expect(fromLeader.length).toBeGreaterThan(0);
    expect(fromFollower.length).toBeGreaterThan(0);
    // The follower started after the checkpoint: the only duplicates are the leader's records
    // after it, each once more.
    expect(fromFollower.every((d) => seq(d.sequence) > seq(checkpoint))).toBe(true);
    expect(duplicates.map((list) => list.length).every((n) => n === 2)).toBe(true);
    expect(new Set(duplicates.map((list) => list[0]!.eventID))).toEqual(
      new Set(leaderAfterCheckpoint.map((d) => d.eventID)),
    );
  });

  it('hands over at once on a clean stop, with no loss and no duplicates', async () => {
    const slow = { leaseDurationMs: 3_000, pollIntervalMs: 50 };
    const t = await table();
    const sink: Delivery[] = [];
    const first = reader(t, owner('first'), sink, slow);
    await first.start();
    const second = reader(t, owner('second'), sink, slow);
    await second.start();
    expect([first.stats().leasesHeld, second.stats().leasesHeld]).toEqual([1, 0]);
    const writer = steadily(t, 'c', 20);
    await until(() => ownWrites(sink).length >= 30, 10_000, 'the first to deliver');
    await first.stop();
    const stoppedAt = performance.now();
    expect(first.stats().leasesHeld).toBe(0);
    const [released] = await listLeases(t);
    const tookAt = await until(() => second.stats().leasesHeld === 1, 10_000, 'the hand-over');
    const handoverMs = tookAt - stoppedAt;
    await new Promise((r) => setTimeout(r, 500));
    const written = await writer.stop();
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    const { items, duplicates } = tally(sink);
    console.log(
      `clean stop: hand-over ${Math.round(handoverMs)} ms after stop() (lease ${slow.leaseDurationMs} ms); ` +
        `${written.length} writes, ${written.length - items.size} lost, ${duplicates.length} delivered twice`,
    );
    expect(released?.owner).toBeUndefined();
    // Well before the lease could have expired (two thirds of it at the least).
    expect(handoverMs).toBeLessThan(slow.leaseDurationMs / 2);
    expect(duplicates).toEqual([]);
    expect([...items].sort()).toEqual(written);
    expect(new Set(ownWrites(sink).map((d) => d.reader)).size).toBe(2);
  });

  it('hands a failing consumer the same records again, and leaves them to the next reader', async () => {
    const t = await table();
    const attempts: string[][] = [];
    const failing = reader(t, owner('failing'), [], timing, {
      onRecords: async (records) => {
        const own = records.filter((r) => r.dynamodb?.Keys?.PK?.S === 'LEASETEST');
        if (own.length === 0) return;
        attempts.push(own.map((r) => r.eventID ?? ''));
        throw new Error('the bus is down');
      },
    });
    await failing.start();
    const written = await writeItems(t, 'f', 5);
    await until(() => attempts.length >= 3, 10_000, 'three attempts');
    await failing.stop();
    // Every attempt had the same records: the first batch, which is the first writes.
    expect(attempts[0]!.length).toBeGreaterThan(0);
    for (const attempt of attempts) expect(attempt).toEqual(attempts[0]);
    const [lease] = await listLeases(t);
    expect(lease?.owner).toBeUndefined();

    const sink: Delivery[] = [];
    const next = reader(t, owner('next'), sink, timing);
    await next.start();
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    const { items, duplicates, byEvent } = tally(sink);
    expect([...items].sort()).toEqual(written);
    expect(duplicates).toEqual([]);
    for (const eventID of attempts[0]!) expect(byEvent.has(eventID)).toBe(true);
  });

  it('stops reading at once when its lease is taken, and takes it again once released', async () => {
    const t = await table();
    const sink: Delivery[] = [];
    const victim = reader(t, owner('victim'), sink, timing);
    await victim.start();
    expect(victim.stats().leasesHeld).toBe(1);
    // Another process takes the lease (as if it had seen it expire), renews it, reads nothing.
    const thief = new ShardLeaseTable({
      doc: t.dynamo.doc,
      tableName: t.tableName,
      owner: 'thief',
      timeoutMs: 5_000,
    });
    const [observed] = await thief.list();
    let stolen = await thief.take(observed!);
    expect(stolen).not.toBeNull();
    const stolenAt = performance.now();
    let renewing = true;
    const renewals = (async () => {
      while (renewing) {
        await new Promise((r) => setTimeout(r, renewMs / 2));
        stolen = (await thief.renew(stolen!)) ?? stolen;
      }
    })();
    const lostAt = await until(() => victim.stats().leasesHeld === 0, 5_000, 'the loss');
    expect(lostAt - stolenAt).toBeLessThan(renewMs + 1_000);
    const written = await writeItems(t, 's', 5);
    // Longer than a lease: the victim keeps off while the thief renews.
    await new Promise((r) => setTimeout(r, 1.5 * timing.leaseDurationMs));
    expect(ownWrites(sink)).toEqual([]);
    expect(victim.stats().leasesHeld).toBe(0);
    renewing = false;
    await renewals;
    expect(await thief.release(stolen!)).toBe(true);
    // Released with the victim's checkpoint: it takes the lease again and reads them all, once.
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    expect(victim.stats().leasesHeld).toBe(1);
    expect(tally(sink).duplicates).toEqual([]);
  });

  it('stops handing records before its lease can expire when its renewals fail', async () => {
    const t = await table();
    let cutOff = false;
    // The leader's lease writes fail (a partition from DynamoDB, say); it still reads the stream.
    const faulty = faultyDynamo(t, (attempt) =>
      cutOff && attempt.operation === 'UpdateItem' ? refused() : undefined,
    );
    const sink: Delivery[] = [];
    const leaderName = owner('cut-off');
    const leader = reader(t, leaderName, sink, timing, { doc: faulty.doc });
    await leader.start();
    const followerName = owner('follower');
    const follower = reader(t, followerName, sink, timing);
    await follower.start();
    const writer = steadily(t, 'p', 20);
    await until(() => ownWrites(sink).length >= 20, 10_000, 'the leader to deliver');
    cutOff = true;
    const cutAt = performance.now();
    const tookAt = await until(() => follower.stats().leasesHeld === 1, 10_000, 'the takeover');
    await new Promise((r) => setTimeout(r, 500));
    cutOff = false;
    // Its next renewal finds the lease taken: it lets go.
    await until(() => leader.stats().leasesHeld === 0, 5_000, 'the leader to let go');
    await new Promise((r) => setTimeout(r, 300));
    const written = await writer.stop();
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    const lastByLeader = Math.max(
      ...ownWrites(sink)
        .filter((d) => d.reader === leaderName)
        .map((d) => d.at),
    );
    const { items, duplicates } = tally(sink);
    console.log(
      `failing renewals: last delivery by the cut-off leader ${Math.round(lastByLeader - cutAt)} ms after the cut, ` +
        `takeover ${Math.round(tookAt - cutAt)} ms after it; ${written.length} writes, ` +
        `${written.length - items.size} lost, ${duplicates.length} delivered twice`,
    );
    // The leader stopped handing records within its lease (the last renewal sent up to a
    // renewal interval before the cut), before the follower could take over.
    expect(lastByLeader - cutAt).toBeLessThan(timing.leaseDurationMs);
    expect(lastByLeader).toBeLessThan(tookAt);
    expect(faulty.attempts.some((a) => a.operation === 'UpdateItem' && a.at > cutAt)).toBe(true);
    expect([...items].sort()).toEqual(written);
    // Duplicates: what the leader handed after its last checkpoint, before the takeover, and
    // the follower again from that checkpoint.
    for (const list of duplicates) {
      expect(list.map((d) => d.reader)).toEqual([leaderName, followerName]);
      expect(list[0]!.at).toBeLessThan(tookAt);
    }
  });

  it('keeps its lease when renewals land but their answers are lost, and hands nothing twice', async () => {
    const t = await table();
    let losing = false;
    // Every lease write reaches the table and its answer is lost: the SDK sends it again, which
    // then fails its condition (the counter moved). The write of unknown outcome landed.
    const faulty = faultyDynamo(t, (attempt) =>
      losing && attempt.operation === 'UpdateItem' ? 'lose-response' : undefined,
    );
    const sink: Delivery[] = [];
    const leaderName = owner('unheard');
    const leader = reader(t, leaderName, sink, timing, { doc: faulty.doc });
    await leader.start();
    const follower = reader(t, owner('follower'), sink, timing);
    await follower.start();
    const writer = steadily(t, 'u', 20);
    await until(() => ownWrites(sink).length >= 10, 10_000, 'the leader to deliver');
    losing = true;
    const lostFrom = faulty.attempts.length;
    await new Promise((r) => setTimeout(r, 3 * timing.leaseDurationMs));
    losing = false;
    const written = await writer.stop();
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    const lostAnswers = faulty.attempts
      .slice(lostFrom)
      .filter((attempt) => attempt.operation === 'UpdateItem').length;
    expect(lostAnswers).toBeGreaterThanOrEqual(4);
    expect(leader.stats().leasesHeld).toBe(1);
    expect(follower.stats().leasesHeld).toBe(0);
    expect(new Set(ownWrites(sink).map((d) => d.reader))).toEqual(new Set([leaderName]));
    expect(tally(sink).duplicates).toEqual([]);
    expect([...tally(sink).items].sort()).toEqual(written);
  });

  it('works with the default lease duration, and releases on stop', async () => {
    const t = await table();
    const sink: Delivery[] = [];
    const name = owner('default');
    const only = reader(t, name, sink, { leaseDurationMs: undefined, pollIntervalMs: 50 });
    await only.start();
    expect(only.stats()).toMatchObject({ owner: name, leasesHeld: 1, running: true });
    const written = await writeItems(t, 'x', 5);
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    await only.stop();
    expect(only.stats()).toMatchObject({ leasesHeld: 0, running: false });
    const [lease] = await listLeases(t);
    expect(lease?.owner).toBeUndefined();
    expect(seq(lease!.checkpoint!)).toBeGreaterThanOrEqual(seq(ownWrites(sink).at(-1)!.sequence));
  });

  it('reads a lease its dead leader never checkpointed from TRIM_HORIZON, losing nothing', async () => {
    const t = await table();
    // The leader made and took the lease, then died before its first renewal.
    await putLease(t, { owner: 'dead', counter: 1, skipBefore: new Date().toISOString() });
    const written = await writeItems(t, 'd', 5);
    const sink: Delivery[] = [];
    const successor = reader(t, owner('successor'), sink, timing);
    await successor.start();
    expect(successor.stats().leasesHeld).toBe(0);
    await until(() => tally(sink).items.size === written.length, 10_000, 'every write');
    expect([...tally(sink).items].sort()).toEqual(written);
    expect(tally(sink).duplicates).toEqual([]);
  });

  it('skips the records from before the lease mark when it has no checkpoint', async () => {
    const t = await table();
    // A mark two minutes ahead: everything written now counts as history.
    await putLease(t, {
      owner: undefined,
      counter: 0,
      skipBefore: new Date(Date.now() + 120_000).toISOString(),
    });
    await writeItems(t, 'h', 5);
    const records: _Record[] = [];
    const historian = reader(t, owner('historian'), [], timing, {
      onRecords: (batch) => {
        records.push(...batch);
      },
    });
    await historian.start();
    expect(historian.stats().leasesHeld).toBe(1);
    // Its own renewals are records of the stream too (skipped as well): wait for a few.
    await until(async () => ((await listLeases(t))[0]?.counter ?? 0) >= 3, 10_000, 'renewals');
    await historian.stop();
    const [after] = await listLeases(t);
    expect(records).toEqual([]);
    // Skipped is handled: the checkpoint moved past it.
    expect(after?.checkpoint).toMatch(/^\d+$/);
    expect(after?.owner).toBeUndefined();
  });
});

/** The table's one shard (DynamoDB Local has one), and a lease item for it written as given. */
async function putLease(
  t: TestTable,
  fields: Pick<StreamLease, 'owner' | 'counter' | 'skipBefore'>,
): Promise<void> {
  const streams = testStreamsClient(t);
  const { shards } = await describeTestStream(t, streams);
  streams.destroy();
  expect(shards).toHaveLength(1);
  const lease: StreamLease = {
    shardId: shards[0]!.ShardId!,
    parentShardId: undefined,
    checkpoint: undefined,
    createdAt: new Date().toISOString(),
    expiresAt: streamLeaseExpiry(Date.now()),
    ...fields,
  };
  await t.dynamo.doc.send(new PutCommand({ TableName: t.tableName, Item: streamLeaseItem(lease) }));
}

/**
 * A scripted DynamoDB Streams API for what DynamoDB Local cannot do: close shard A and open its
 * child B. The leases are real items of a real table.
 */
class SplitStreams {
  shards: Array<{
    ShardId: string;
    ParentShardId?: string;
    SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
  }> = [{ ShardId: 'A', SequenceNumberRange: { StartingSequenceNumber: '001' } }];
  records: Record<string, _Record[]> = { A: [], B: [] };
  closed = false;

  push(shard: 'A' | 'B', sequence: string) {
    this.records[shard]!.push({
      eventID: `${shard}${sequence}`,
      dynamodb: { SequenceNumber: sequence },
    });
  }

  split() {
    this.closed = true;
    this.shards[0]!.SequenceNumberRange.EndingSequenceNumber =
      this.records.A!.at(-1)!.dynamodb!.SequenceNumber!;
    this.shards.push({
      ShardId: 'B',
      ParentShardId: 'A',
      SequenceNumberRange: { StartingSequenceNumber: '100' },
    });
  }

  async send(command: {
    constructor: { name: string };
    input: Record<string, string | undefined>;
  }) {
    const name = command.constructor.name;
    if (name === 'DescribeStreamCommand') return { StreamDescription: { Shards: this.shards } };
    if (name === 'GetShardIteratorCommand') {
      return { ShardIterator: `${command.input.ShardId}|${command.input.SequenceNumber ?? ''}` };
    }
    if (name === 'GetRecordsCommand') {
      const [shard = '', after = ''] = (command.input.ShardIterator ?? '').split('|');
      const pending = (this.records[shard] ?? []).filter(
        (r) => r.dynamodb!.SequenceNumber! > after,
      );
      const last = pending.at(-1)?.dynamodb?.SequenceNumber ?? after;
      const ended = shard === 'A' && this.closed && pending.length === 0;
      return { Records: pending, NextShardIterator: ended ? undefined : `${shard}|${last}` };
    }
    throw new Error(`unexpected ${name}`);
  }
}

describe('stream shard leases across a split', () => {
  it("reads a child shard only after its parent's lease says SHARD_END, each record once", async () => {
    const t = await table();
    const fake = new SplitStreams();
    const deliveries: Array<{ reader: string; shardId: string; eventID: string }> = [];
    const make = (name: string) => {
      const made = new StreamReader({
        streams: fake as unknown as DynamoDBStreamsClient,
        dynamo: t.dynamo.client,
        tableName: t.tableName,
        logger: createLogger('silent'),
        pollIntervalMs: 20,
        maxIdlePollIntervalMs: 20,
        discoverIntervalMs: 100,
        leases: { doc: t.dynamo.doc, owner: name, leaseDurationMs: timing.leaseDurationMs },
        onRecords: async (records, shardId) => {
          // A's last batch is slow: B is listed, and its lease made, while A is still read.
          if (records.some((r) => r.eventID === 'A005')) {
            await new Promise((r) => setTimeout(r, 1_000));
          }
          // B's records must not be handed while A's lease has not said SHARD_END.
          if (shardId === 'B') {
            const leases = await listLeases(t);
            parentEnded.push(leases.find((l) => l.shardId === 'A')?.checkpoint === SHARD_END);
          }
          for (const r of records) deliveries.push({ reader: name, shardId, eventID: r.eventID! });
        },
      });
      readers.push(made);
      return made;
    };
    const parentEnded: boolean[] = [];
    const one = make(owner('one'));
    const two = make(owner('two'));
    await Promise.all([one.start(), two.start()]);
    for (const n of ['002', '003', '004']) fake.push('A', n);
    await until(() => deliveries.length === 3, 10_000, "A's records");
    // B gets records before A is even closed: they must still wait for A's end.
    fake.split();
    for (const n of ['101', '102']) fake.push('B', n);
    for (const n of ['005']) fake.push('A', n);
    fake.shards[0]!.SequenceNumberRange.EndingSequenceNumber = '005';
    await until(() => deliveries.length === 6, 10_000, "B's records");
    expect(deliveries.map((d) => d.eventID)).toEqual([
      'A002',
      'A003',
      'A004',
      'A005',
      'B101',
      'B102',
    ]);
    expect(parentEnded.length).toBeGreaterThan(0);
    expect(parentEnded.every(Boolean)).toBe(true);
    const leases = await listLeases(t);
    expect(leases.find((l) => l.shardId === 'A')).toMatchObject({
      checkpoint: SHARD_END,
      owner: undefined,
    });
    const child = leases.find((l) => l.shardId === 'B')!;
    expect(child.parentShardId).toBe('A');
    // The child inherited its parent's history mark: its own records were all read.
    expect(child.skipBefore).toBe(leases.find((l) => l.shardId === 'A')!.skipBefore);
    expect([one.stats().leasesHeld + two.stats().leasesHeld]).toEqual([1]);
  });
});
