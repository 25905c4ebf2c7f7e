import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../../src/app/logger.js';
import { ShardLeaseTable } from '../../src/events/shard-leases.js';
import { StreamReader, type StreamReaderOptions } from '../../src/events/stream-reader.js';
import type { StreamLease } from '../../src/models/stream-lease.js';
import type { TestTable } from './dynamo.js';
import { testStreamsClient } from './stream.js';

/** One record as a reader handed it to its consumer. */
export interface Delivery {
  reader: string;
  eventID: string;
  sequence: string;
  sk: string;
  at: number;
}

export const TEST_PARTITION = 'LEASETEST';

/** The deliveries of the test's own writes (lease writes are stream records too). */
export function ownWrites(deliveries: readonly Delivery[]): Delivery[] {
  return deliveries.filter((d) => d.sk !== '');
}

function delivery(
  reader: string,
  r: { eventID?: string; sequence?: string; pk?: string; sk?: string },
): Delivery {
  return {
    reader,
    eventID: r.eventID ?? '',
    sequence: r.sequence ?? '',
    sk: r.pk === TEST_PARTITION ? (r.sk ?? '') : '',
    at: performance.now(),
  };
}

export function fromRecord(reader: string, record: _Record): Delivery {
  return delivery(reader, {
    eventID: record.eventID,
    sequence: record.dynamodb?.SequenceNumber,
    pk: record.dynamodb?.Keys?.PK?.S,
    sk: record.dynamodb?.Keys?.SK?.S,
  });
}

export interface LeaseTiming {
  /** Undefined: the reader's default. */
  leaseDurationMs: number | undefined;
  pollIntervalMs: number;
}

/** A reader with leases in this process; every record it takes goes to `sink`. */
export function leaseReader(
  table: TestTable,
  owner: string,
  sink: Delivery[],
  timing: LeaseTiming,
  extra: { onRecords?: StreamReaderOptions['onRecords']; doc?: DynamoDBDocumentClient } = {},
): StreamReader {
  const { onRecords, doc = table.dynamo.doc } = extra;
  return new StreamReader({
    streams: testStreamsClient(table),
    dynamo: table.dynamo.client,
    tableName: table.tableName,
    logger: createLogger('silent'),
    pollIntervalMs: timing.pollIntervalMs,
    maxIdlePollIntervalMs: timing.pollIntervalMs,
    leases: {
      doc,
      owner,
      ...(timing.leaseDurationMs ? { leaseDurationMs: timing.leaseDurationMs } : {}),
    },
    onRecords:
      onRecords ??
      ((records) => {
        for (const record of records) sink.push(fromRecord(owner, record));
      }),
  });
}

export interface ReaderProcess {
  child: ChildProcess;
  started: Promise<void>;
  exited: Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

/** The same reader in a child process (lease-reader-child.ts), for a real SIGKILL. */
export function leaseReaderProcess(
  table: TestTable,
  owner: string,
  sink: Delivery[],
  timing: LeaseTiming,
): ReaderProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LEASE_TEST_ENDPOINT: table.endpoint,
    LEASE_TEST_TABLE: table.tableName,
    LEASE_TEST_OWNER: owner,
    LEASE_TEST_LEASE_MS: String(timing.leaseDurationMs),
    LEASE_TEST_POLL_MS: String(timing.pollIntervalMs),
  };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    delete env[name];
  }
  // node --import tsx, not the tsx binary: that one runs the script in a second process, which
  // a SIGKILL of the first would leave running.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(root, 'test/helpers/lease-reader-child.ts')],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const started = new Promise<void>((done, fail) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        const message = JSON.parse(line) as {
          type: string;
          records?: Array<Record<string, string>>;
        };
        if (message.type === 'started') done();
        for (const r of message.records ?? []) sink.push(delivery(owner, r));
      }
    });
    void exited.then(() => fail(new Error(`reader process exited: ${stderr}`)));
  });
  return { child, started, exited };
}

/** The table's leases, as any process reads them. */
export function listLeases(table: TestTable): Promise<StreamLease[]> {
  return new ShardLeaseTable({
    doc: table.dynamo.doc,
    tableName: table.tableName,
    owner: 'observer',
    timeoutMs: 5_000,
  }).list();
}

/** Writes items `LEASETEST` / `<prefix>-<n>` one after another, every `everyMs`, until stopped. */
export function writeSteadily(table: TestTable, prefix: string, everyMs: number) {
  const written: string[] = [];
  let stopped = false;
  const done = (async () => {
    for (let n = 0; !stopped; n++) {
      const sk = `${prefix}-${String(n).padStart(5, '0')}`;
      await table.dynamo.doc.send(
        new PutCommand({ TableName: table.tableName, Item: { PK: TEST_PARTITION, SK: sk, n } }),
      );
      written.push(sk);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    written,
    async stop() {
      stopped = true;
      await done;
      return written;
    },
  };
}

export async function writeItems(
  table: TestTable,
  prefix: string,
  count: number,
): Promise<string[]> {
  const written: string[] = [];
  for (let n = 0; n < count; n++) {
    const sk = `${prefix}-${String(n).padStart(5, '0')}`;
    await table.dynamo.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { PK: TEST_PARTITION, SK: sk, n } }),
    );
    written.push(sk);
  }
  return written;
}

/** How often each item's record was delivered, in total and by reader. */
export function tally(deliveries: readonly Delivery[]) {
  const byEvent = new Map<string, Delivery[]>();
  for (const d of ownWrites(deliveries)) {
    const list = byEvent.get(d.eventID) ?? [];
    list.push(d);
    byEvent.set(d.eventID, list);
  }
  const items = new Set(ownWrites(deliveries).map((d) => d.sk));
  const duplicates = [...byEvent.values()].filter((list) => list.length > 1);
  return { byEvent, items, duplicates };
}
