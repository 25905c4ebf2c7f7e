/**
 * A stream reader with leases in a process of its own, so a test can SIGKILL it: no release,
 * no last checkpoint, as when a replica dies. It prints one JSON line per batch it takes (a
 * pipe's write is synchronous on Linux: a line printed before the kill reaches the parent).
 *
 * Started by `startLeaseReaderProcess` (stream-leases.ts) with LEASE_TEST_* in its environment.
 */
import { createLogger } from '../../src/app/logger.js';
import { createStreamsClient } from '../../src/events/live.js';
import { StreamReader } from '../../src/events/stream-reader.js';
import { createDynamo } from '../../src/store/client.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const endpoint = env('LEASE_TEST_ENDPOINT');
const dynamo = createDynamo({ endpoint, region: 'us-east-1', localCredentials: true });
const reader = new StreamReader({
  streams: createStreamsClient({ endpoint, region: 'us-east-1', localCredentials: true }),
  dynamo: dynamo.client,
  tableName: env('LEASE_TEST_TABLE'),
  logger: createLogger('silent'),
  pollIntervalMs: Number(env('LEASE_TEST_POLL_MS')),
  maxIdlePollIntervalMs: Number(env('LEASE_TEST_POLL_MS')),
  leases: {
    doc: dynamo.doc,
    owner: env('LEASE_TEST_OWNER'),
    leaseDurationMs: Number(env('LEASE_TEST_LEASE_MS')),
  },
  onRecords: (records, shardId) => {
    process.stdout.write(
      `${JSON.stringify({
        type: 'records',
        shardId,
        records: records.map((r) => ({
          eventID: r.eventID,
          sequence: r.dynamodb?.SequenceNumber,
          pk: r.dynamodb?.Keys?.PK?.S,
          sk: r.dynamodb?.Keys?.SK?.S,
        })),
      })}\n`,
    );
  },
});
await reader.start();
process.stdout.write(`${JSON.stringify({ type: 'started', stats: reader.stats() })}\n`);
process.on('SIGTERM', () => {
  void reader.stop().then(() => process.exit(0));
});
